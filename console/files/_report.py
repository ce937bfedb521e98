"""`trace FILE --report OUT.pdf`: the evidence report for the file just traced.

Gathers what stamping/report draws: the file's SHA-256 and size, the trace,
the shop's record of each order the file's codes belong to (date, merchant,
book, status; never the buyer's name or address from the record: the report
goes to a platform), and pictures of the pages carrying the visible stamp (poppler's
pdftoppm, where installed). The store is read only for order ids of an order
id's shape (trace.shown leaves them bare), so a crafted id never names an
object. The report is written whole or not at all (OUT.pdf.part, renamed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from common.orders import load_record
from common.storage import Storage
from stamping.formats import detect_format
from stamping.report import Case, OrderFacts, pages_to_show, render_report, thumbnails
from stamping.trace import Trace, shown


def write_report(
    out: Path,
    name: str,
    data: bytes,
    trace: Trace,
    store: tuple[Storage, str] | str,
    notes: Iterable[str],
) -> None:
    """Write the report on the traced file `data`; `store` is (storage, bucket), or why none."""
    case = Case(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        format=detect_format(data) or "file",
        trace=trace,
        made_at=datetime.now(UTC).replace(microsecond=0),
        notes=tuple(notes),
    )
    if isinstance(store, str):
        case = replace(case, store_unread=store)
    else:
        orders, unread = order_facts(*store, _real_orders(trace))
        case = replace(case, orders=orders, store_unread=unread)
    if case.format == "pdf":
        pictures, why = thumbnails(data, pages_to_show(case))
        case = replace(case, thumbnails=pictures, thumbnails_note=why)
    partial = out.with_name(f".{out.name}.part")
    try:
        partial.write_bytes(render_report(case))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def order_facts(
    storage: Storage, bucket: str, order_ids: Iterable[str]
) -> tuple[dict[str, OrderFacts], str]:
    """The store's facts on each order (those it holds); and why it could not be read, or ""."""
    found: dict[str, OrderFacts] = {}
    for order_id in order_ids:
        if shown(order_id) != order_id:  # not an order id's shape: no object has that name
            continue
        try:
            record, _ = load_record(storage, bucket, order_id)
        except Exception as exc:  # the cloud client's many faults, a record we cannot parse
            return found, f"the order store could not be read ({type(exc).__name__})"
        if record is not None:
            found[order_id] = OrderFacts(
                order_id, record.created_at, record.merchant, record.title, str(record.status)
            )
    return found, ""


def _real_orders(trace: Trace) -> list[str]:
    """The orders the codes belong to: an authentic finding's, a forged one's owner."""
    ids = [(f.order_id or f.owner) if f.authentic else f.owner for f in trace.findings]
    return list(dict.fromkeys(i for i in ids if i))[:12]
