"""What a trace found, whatever the format: marks gathered into one finding per order and code.

Evidence is one mark saying (order id, code) on a page, or on the book as a
whole. Evidence with the same code is one finding; evidence naming only an
order joins the finding of that order. A finding is authentic when the shop's
checker accepts its code, forged when it does not, and unknown when there is
no checker or no code.

The code is derived from the order id (common/codes), so a checker that is a
`CodeCheck` also says whether the code was issued for the order each mark
names. A leaker who rewrites the order id in the marks, to pin the copy on
someone else, leaves a code that belongs to another order: those marks make
a forged finding, which names the order the code was issued for where the
code index, or a mark left alone, tells it. The genuine marks, if any name
the right order, still make an authentic finding.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from stamping.trace import Checker, CodeCheck, Finding, Place

_NOT_OURS = "not issued by this shop"
REWRITTEN = "the code was not issued for this order"


@dataclass(frozen=True)
class Evidence:
    order_id: str | None
    code: str | None  # canonical XXXX-XXXX-XXXX
    mark: str
    page: int | None  # 1-based; None for a mark of the whole book
    document: str | None = None  # the EPUB entry it was read in (text from the file)


def findings_of(
    evidence: list[Evidence], check: Checker | None, marks: tuple[str, ...]
) -> tuple[Finding, ...]:
    """One finding per code and order, authentic ones first; `marks` is the order marks print in."""
    groups: dict[str, list[Evidence]] = {}
    for item in evidence:
        if item.code:
            groups.setdefault(item.code, []).append(item)
    for item in evidence:
        if item.code is None and item.order_id:
            key = next((k for k, g in groups.items() if _order(g) == item.order_id), None)
            groups.setdefault(key or f"order:{item.order_id}", []).append(item)
    findings = [
        finding
        for key, items in groups.items()
        for finding in _findings(None if key.startswith("order:") else key, items, check, marks)
    ]
    return tuple(sorted(findings, key=lambda f: (f.authentic is not True, f.pages[:1] or (0,))))


def _findings(
    code: str | None, items: list[Evidence], check: Checker | None, marks: tuple[str, ...]
) -> list[Finding]:
    if code is None or check is None:
        return [_finding(code, items, None, marks)]
    if not check(code):
        return [_finding(code, items, False, marks, reason=_NOT_OURS)]
    if not isinstance(check, CodeCheck):
        return [_finding(code, items, True, marks)]
    owner = check.owner(code)
    claimed = {i.order_id for i in items if i.order_id}
    wrong = {o for o in claimed if (o != owner if owner else not check.issued_for(code, o))}
    if not wrong:
        named = _order(items)
        return [_finding(code, items, True, marks, owner=owner if named is None else None)]
    right = [i for i in items if i.order_id not in wrong]
    named_right = [i for i in right if i.order_id]
    owner = owner or _order(named_right)
    found = [_finding(code, right, True, marks)] if named_right else []
    by_count = Counter(i.order_id for i in items if i.order_id in wrong).most_common()
    for rank, (order, _) in enumerate(by_count):
        its = [i for i in items if i.order_id == order]
        if rank == 0 and not named_right:  # the code-only marks go with the forgery they back
            its += [i for i in items if i.order_id is None]
        found.append(_finding(code, its, False, marks, owner=owner, reason=REWRITTEN))
    return found


def _order(items: list[Evidence]) -> str | None:
    orders = Counter(i.order_id for i in items if i.order_id)
    return orders.most_common(1)[0][0] if orders else None


def _finding(
    code: str | None,
    items: list[Evidence],
    authentic: bool | None,
    marks: tuple[str, ...],
    *,
    owner: str | None = None,
    reason: str = "",
) -> Finding:
    found = {i.mark for i in items}
    return Finding(
        order_id=_order(items),
        code=code,
        authentic=authentic,
        marks=tuple(m for m in marks if m in found),
        pages=tuple(sorted({i.page for i in items if i.page is not None})),
        owner=owner,
        reason=reason,
        places=tuple(_place(m, [i for i in items if i.mark == m]) for m in marks if m in found),
    )


def _place(mark: str, items: list[Evidence]) -> Place:
    pages = sorted({i.page for i in items if i.page is not None})
    return Place(mark, tuple(pages), tuple(sorted({i.document for i in items if i.document})))
