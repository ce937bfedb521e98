"""What trace found: evidence gathered into one finding per order, and how it is printed.

Evidence is one mark saying (order id, code) on a page (or on the document as
a whole). Evidence with the same code is one finding; evidence naming only an
order joins the finding of that order. A finding is authentic when the
shop's checker accepts its code, forged when it does not, and unknown when
there is no checker or no code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from stamping.pdf.trace._code_search import Checker

MARK_ORDER = ("docinfo", "xmp", "id", "pieceinfo", "content", "footer", "body", "text", "ocr")


@dataclass(frozen=True)
class Evidence:
    order_id: str | None
    code: str | None  # canonical XXXX-XXXX-XXXX
    mark: str
    page: int | None  # 1-based; None for a mark of the whole document


@dataclass(frozen=True)
class Finding:
    order_id: str | None
    code: str | None
    authentic: bool | None  # None: no checker, or no code to check
    marks: tuple[str, ...]
    pages: tuple[int, ...]

    @property
    def page_ranges(self) -> str:
        """The pages as ranges, like 2-30, 45."""
        return page_ranges(self.pages)

    @property
    def verdict(self) -> str:
        return {True: "authentic", False: "FORGED", None: "not checked"}[self.authentic]


@dataclass(frozen=True)
class Trace:
    findings: tuple[Finding, ...]
    pages: int
    notes: tuple[str, ...] = ()

    @property
    def found_authentic(self) -> bool:
        return any(f.authentic for f in self.findings)

    @property
    def best(self) -> Finding | None:
        """The most telling finding (an authentic one first), for callers wanting one answer."""
        return self.findings[0] if self.findings else None

    @property
    def order_id(self) -> str | None:
        return self.best.order_id if self.best else None

    @property
    def code(self) -> str | None:
        return self.best.code if self.best else None

    @property
    def marks(self) -> tuple[str, ...]:
        return self.best.marks if self.best else ()


def findings_of(evidence: list[Evidence], check: Checker | None) -> tuple[Finding, ...]:
    """One finding per code (or per order, for marks without a code), authentic ones first."""
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        if item.code:
            groups.setdefault(item.code, []).append(item)
    for item in evidence:
        if item.code is None and item.order_id:
            key = next((k for k, g in groups.items() if _order(g) == item.order_id), None)
            groups.setdefault(key or f"order:{item.order_id}", []).append(item)
    findings = [_finding(key, items, check) for key, items in groups.items()]
    return tuple(sorted(findings, key=lambda f: (f.authentic is not True, f.pages[:1] or (0,))))


def _order(items: list[Evidence]) -> str | None:
    orders = Counter(i.order_id for i in items if i.order_id)
    return orders.most_common(1)[0][0] if orders else None


def _finding(key: str, items: list[Evidence], check: Checker | None) -> Finding:
    code = None if key.startswith("order:") else key
    marks = {i.mark for i in items}
    return Finding(
        order_id=_order(items),
        code=code,
        authentic=check(code) if check is not None and code is not None else None,
        marks=tuple(m for m in MARK_ORDER if m in marks),
        pages=tuple(sorted({i.page for i in items if i.page is not None})),
    )


def page_ranges(pages: tuple[int, ...]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    spans: list[list[int]] = []
    for page in pages:
        if spans and page == spans[-1][1] + 1:
            spans[-1][1] = page
        else:
            spans.append([page, page])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans)


def format_finding(finding: Finding) -> str:
    """One line: order, code, verdict, marks and pages."""
    pages = f"pages {finding.page_ranges}" if finding.pages else "document only"
    return (
        f"order {finding.order_id or '(unknown: check the code at /verify)'}"
        f"  code {finding.code or '(none)'}  {finding.verdict}"
        f"  marks {','.join(finding.marks)}  {pages}"
    )


def trace_json(trace: Trace) -> dict[str, Any]:
    """The same as the lines, for machines."""
    return {
        "pages": trace.pages,
        "orders": [
            {
                "order_id": f.order_id,
                "code": f.code,
                "authentic": f.authentic,
                "marks": list(f.marks),
                "pages": f.page_ranges,
            }
            for f in trace.findings
        ],
        "notes": list(trace.notes),
    }
