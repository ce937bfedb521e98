"""What trace found in a PDF: evidence gathered into one finding per order (stamping/trace.py).

Evidence is one mark saying (order id, code) on a page (or on the document as
a whole). Evidence with the same code is one finding; evidence naming only an
order joins the finding of that order. A finding is authentic when the
shop's checker accepts its code, forged when it does not, and unknown when
there is no checker or no code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stamping.trace import Checker, Finding

MARK_ORDER = ("docinfo", "xmp", "id", "pieceinfo", "content", "footer", "body", "text", "ocr")


@dataclass(frozen=True)
class Evidence:
    order_id: str | None
    code: str | None  # canonical XXXX-XXXX-XXXX
    mark: str
    page: int | None  # 1-based; None for a mark of the whole document


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
