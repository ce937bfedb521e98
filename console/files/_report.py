"""`trace FILE --report OUT.pdf`: the evidence report for the file just traced.

Gathers what stamping/report draws: the file's SHA-256 and size, the trace,
pictures of the pages carrying the visible stamp (poppler's pdftoppm, where
installed), and the shop's record of each order the file's codes belong to
(date, merchant, book, status; never the buyer's name or address from the
record: the report goes to a platform). The store is read only for order ids of an order
id's shape (trace.shown leaves them bare), so a crafted id never names an
object. The report is written whole or not at all (OUT.pdf.part, renamed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from common.orders import load_record
from common.storage import Storage
from stamping.report import OrderFacts, describe, orders_to_look_up, render_report
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
    partial = out.with_name(f".{out.name}.part")
    try:
        partial.write_bytes(report_pdf(name, data, trace, store, notes))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def report_pdf(
    name: str,
    data: bytes,
    trace: Trace,
    store: tuple[Storage, str] | str,
    notes: Iterable[str],
) -> bytes:
    """The report's PDF (the dashboard hands it to the browser, the console writes it)."""
    case = describe(name, data, trace, datetime.now(UTC).replace(microsecond=0), notes)
    if isinstance(store, str):
        return render_report(replace(case, store_unread=store))
    orders, unread = order_facts(*store, orders_to_look_up(trace))
    return render_report(replace(case, orders=orders, store_unread=unread))


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
