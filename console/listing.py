"""`exlibris orders` and `exlibris order ID`: read records (through the indexes) and show them.

A filter by email, product or date lists its index (common/order_index.py)
and reads only the records it names; `--status` is checked on those records
(`undeliverable`: the order's last mail bounced or was dropped, which SendGrid's
Event Webhook reports), and so is `--imprint` (the imprint the order was sold under:
its record's, or the catalog's for a record of before imprints).
Records are read by a few threads at once, which is what a bucket of
thousands of orders needs on GCS. Reads only. Into a pipe or a file the table
is printed at its natural width, so no order id is cut and every one can be
copied; a terminal gets the table fitted to its width.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from common.orders import OrderQuery, OrderRecord
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError
from console.views import buyer_of, detail, downloads_of, emit_json, summary

UNDELIVERABLE = "undeliverable"  # not a status of the order: of its last mail
_READERS = 16
_UNBOUNDED = 1_000_000  # columns: wider than any table of orders
_FACTS = (
    "order_id", "status", "title", "buyer_name", "buyer_email", "code", "created_at",
    "mailed_at", "revoked_at", "revoked_reason", "revoked_by", "merchant", "product_ids",
    "paddle_ids", "note", "erased_at", "erased_by", "imprint",
)  # fmt: skip

Loaded = tuple[OrderRecord, tuple[int, ...]]


def load_orders(
    deps: ConsoleDeps,
    ids: Iterable[str],
    *,
    status: str | None = None,
    imprint: str | None = None,
) -> list[Loaded]:
    """The records and download counts of these orders, oldest first."""

    def one(order_id: str) -> Loaded | None:
        record, _ = deps.orders.load(order_id)
        if record is None or (status and not _has_status(record, status)):
            return None
        if imprint is not None and imprint_of(deps, record) != imprint:
            return None
        return record, downloads_of(deps.orders, record)

    with ThreadPoolExecutor(_READERS) as pool:
        found = [item for item in pool.map(one, ids) if item is not None]
    return sorted(found, key=lambda item: (item[0].created_at, item[0].order_id))


def _has_status(record: OrderRecord, status: str) -> bool:
    return record.undeliverable if status == UNDELIVERABLE else record.status == status


def imprint_of(deps: ConsoleDeps, record: OrderRecord) -> str:
    """The slug of the imprint the order was sold under; "" for the shop's own name."""
    imprint = deps.catalog().sold_under(record.imprint, record.products)
    return imprint.slug if imprint else ""


def checked_imprint(deps: ConsoleDeps, slug: str | None) -> str | None:
    """--imprint's slug, refused in words (a usage mistake) when the catalog has no such."""
    imprints = deps.catalog().imprints
    if slug is None or any(i.slug == slug for i in imprints):
        return slug
    known = ", ".join(i.slug for i in imprints) or "none"
    raise UsageError(f"--imprint: no [imprints.{slug}] in the catalog (it has: {known})")


def query_of(args: argparse.Namespace) -> OrderQuery:
    return OrderQuery(email=args.email, product=args.product, since=args.since)


def find_orders(
    deps: ConsoleDeps,
    query: OrderQuery,
    *,
    status: str | None = None,
    limit: int = 0,
    imprint: str | None = None,
) -> list[Loaded]:
    """The orders the query names through the indexes, oldest first; the newest `limit`."""
    today = datetime.fromtimestamp(deps.clock(), UTC).date()
    ids = deps.orders.find(query, today=today)
    loaded = load_orders(deps, ids, status=status, imprint=checked_imprint(deps, imprint))
    return loaded[-limit:] if limit else loaded


def run_orders(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    loaded = find_orders(
        deps, query_of(args), status=args.status, limit=args.limit, imprint=args.imprint
    )
    rows = [summary(r, d, show_buyer=args.show_buyers) for r, d in loaded]
    if args.json:
        emit_json(deps.out, rows)
        return 0
    table = Table("order", "status", "buyer", "product", "mailed", "downloads", box=None)
    for record, downloads in loaded:
        name, email = buyer_of(record, show=args.show_buyers)
        table.add_row(
            record.order_id,
            str(record.status),
            f"{name} <{email}>",
            ", ".join(record.products) or record.title,
            record.mailed_at or "-",
            str(sum(downloads)),
        )
    _print_whole(deps.out, table)
    deps.out.print(f"{len(rows)} order{'' if len(rows) == 1 else 's'}")
    return 0


def _print_whole(out: Console, table: Table) -> None:
    """Print the table fitted to a terminal, or whole (natural width, uncropped) elsewhere."""
    if out.is_terminal:
        out.print(table)
        return
    table.width = Measurement.get(out, out.options.update_width(_UNBOUNDED), table).maximum
    out.print(table, crop=False)


def order_detail(deps: ConsoleDeps, order_id: str) -> dict[str, object]:
    """`exlibris order ID --json`: the record, its downloads and its dead letters."""
    record, _ = deps.orders.load(order_id)
    if record is None:
        raise ConsoleError(f"no order {order_id}")
    letters = [
        letter
        for reader in deps.letters()
        for letter in reader.letters()
        if letter.order_id == record.order_id
    ]
    return detail(record, downloads_of(deps.orders, record), letters)


def run_order(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    view = order_detail(deps, args.order_id)
    if args.json:
        emit_json(deps.out, view)
        return 0
    _print_detail(deps, view)
    return 0


def _print_detail(deps: ConsoleDeps, view: dict[str, object]) -> None:
    out = deps.out
    facts = Table(box=None, show_header=False)
    for key in _FACTS:
        value = view[key]
        if value:
            facts.add_row(
                key.replace("_", " "), ", ".join(value) if isinstance(value, list) else str(value)
            )
    out.print(facts)
    for title, key, columns in (
        ("history", "history", ("at", "status", "note")),
        ("files", "files", ("filename", "downloads", "source_generation", "object_name")),
        ("mails", "mails", ("at", "kind", "status", "provider_id")),
        ("dead letters", "dead_letters", ("at", "id", "reason")),
        ("address changes", "email_changes", ("at", "email", "by", "reason")),
    ):
        items = view[key]
        assert isinstance(items, list)
        if key == "email_changes" and not items:
            continue  # most orders keep the buyer's address: no line for them
        table = Table(*columns, title=title, title_justify="left", box=None)
        for item in items:
            table.add_row(*(str(item[c]) for c in columns))
        out.print(table if items else f"{title}: none")
