"""What tracing found, whatever the book's format: one finding per order, and how it is printed.

Every format's engine answers a trace with a `Trace` (stamping/format.py). A
finding is authentic when the shop's checker accepts its code, forged when it
does not, and unknown when there is no checker or no code: the engine never
holds the shop's secret. A stamp code is twelve Crockford base32 characters
in three dashed groups (common/codes); `canonical` writes one as the shop does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Checker = Callable[[str], bool]  # is this XXXX-XXXX-XXXX code authentic?
# The book's bytes, pages (1-based) -> (width, height) in points as the reader sees them
# -> page -> the text OCR read in the footer band of that page.
OcrReader = Callable[[bytes, dict[int, tuple[float, float]]], dict[int, str]]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The canonical character for each character a code's reader may see (Crockford's rule).
CROCKFORD = {c: c for c in _ALPHABET} | {"I": "1", "L": "1", "O": "0", "U": "V"}


def canonical(text: str) -> str | None:
    """XXXX-XXXX-XXXX in the canonical alphabet, or None if it cannot be a code."""
    chars = [CROCKFORD.get(ch) for ch in text.upper() if ch not in " -_."]
    if len(chars) != 12 or None in chars:
        return None
    raw = "".join(c for c in chars if c)
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


@dataclass(frozen=True)
class Finding:
    order_id: str | None
    code: str | None
    authentic: bool | None  # None: no checker, or no code to check
    marks: tuple[str, ...]
    pages: tuple[int, ...]  # 1-based; none for a format without pages, or marks of the whole book

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
