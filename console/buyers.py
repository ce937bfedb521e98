"""`exlibris buyer EMAIL` (what is held about a buyer) and `exlibris forget EMAIL` (erase it).

Both find the address's orders through the customer index
(`customers/<sha256 of the lower-cased address>/<order id>`, written by the
worker for every address an order had since its first record), never by
reading every record, and its dead letters by what they carry.

`buyer` reads only: each order as `order ID` shows it (names, addresses,
mails with their status where the record has one, files and download counts,
the stamp code), the dead letters that name the address or one of its orders,
and the index entries. `forget` publishes one ErasureRequested, as `revoke`
publishes its revocation, because only the worker writes order records
(worker/use_cases/_erase.py says what it erases, and in which order). Once the
worker is done (the index lists nothing for the address), the console clears
what the worker does not hold: the dead letters about the buyer and, on the
embedded stack, the outbox's mails to them (SendGrid's own activity log
expires by itself: docs/privacy.md). A second `forget` finds nothing and
publishes nothing.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from common.dead_letters import Letter
from common.messages import ContractError, ErasureRequested, now_iso
from common.orders import OrderQuery, customer_prefix
from console.actions import unconfirmed, wait_for
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError
from console.listing import Loaded, load_orders
from console.views import detail, emit_json, letter_view


def run_buyer(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    email = args.email
    loaded = _orders_of(deps, email)
    ids = {record.order_id for record, _ in loaded}
    letters = [x for reader in deps.letters() for x in reader.letters() if _about(x, email, ids)]
    views = [
        detail(record, downloads, [x for x in letters if x.order_id == record.order_id])
        for record, downloads in loaded
    ]
    if args.json:
        emit_json(deps.out, _held(deps, email, views, letters))
        return 0
    if not views and not letters:
        deps.out.print(f"nothing is held about {email}", markup=False)
        return 0
    _print_held(deps, email, views, letters)
    return 0


def run_forget(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    email = args.email
    loaded = _orders_of(deps, email)
    ids = {record.order_id for record, _ in loaded}
    if loaded:
        try:
            message = ErasureRequested(email, uuid.uuid4().hex, now_iso(), requested_by=args.by)
        except ContractError as exc:  # a --by the message cannot carry
            raise UsageError(f"--by: {exc}") from None
        deps.publisher().publish(message)
        if not deps.drain(60.0):
            raise ConsoleError("the request is spooled but the worker did not take it within 60 s")
        if wait_for(deps, args.wait, lambda: _erased(deps, ids)) is None:
            return unconfirmed(deps, args.wait, f"erasure of {email}", sorted(ids)[0])
    letters = sum(reader.forget(lambda x: _about(x, email, ids)) for reader in deps.letters())
    mails = _forget_outbox(deps, ids)
    if not (loaded or letters or mails):
        deps.out.print(f"nothing is held about {email} (erased already?)", markup=False)
        return 0
    deps.out.print(
        f"erased {email}: {len(ids)} order{'' if len(ids) == 1 else 's'} "
        f"({', '.join(sorted(ids)) or 'none'}) keep id, product, dates and code; copies, "
        f"name and address are gone; {letters} dead letter{'' if letters == 1 else 's'} "
        f"and {mails} outbox mail{'' if mails == 1 else 's'} deleted",
        markup=False,
    )
    return 0


def _orders_of(deps: ConsoleDeps, email: str) -> list[Loaded]:
    """The orders the index lists for the address that still hold it."""
    today = datetime.fromtimestamp(deps.clock(), UTC).date()
    ids = deps.orders.find(OrderQuery(email=email), today=today)
    wanted = email.lower()
    return [
        (record, downloads)
        for record, downloads in load_orders(deps, ids)
        if wanted in (e.lower() for e in record.emails)
    ]


def _about(letter: Letter, email: str, order_ids: set[str]) -> bool:
    """Whether a dead letter is about this buyer: one of their orders, or their address."""
    text = f"{letter.reason}\n{(letter.data or b'').decode('utf-8', 'replace')}".lower()
    return letter.order_id in order_ids or email.lower() in text


def _erased(deps: ConsoleDeps, order_ids: set[str]) -> bool | None:
    """True once the worker has erased every one of these orders."""
    records = (deps.orders.load(order_id)[0] for order_id in order_ids)
    return True if all(r is None or r.erased_at for r in records) else None


def _forget_outbox(deps: ConsoleDeps, order_ids: set[str]) -> int:
    """The embedded outbox's mails of these orders (worker/mail names them <time>-<order>.eml)."""
    if not deps.settings.embedded:
        return 0
    outbox = deps.settings.local_data_dir / "outbox"
    gone = 0
    for order_id in order_ids:
        for path in outbox.glob(f"*-{order_id}.eml"):
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def _held(
    deps: ConsoleDeps, email: str, views: list[dict[str, Any]], letters: list[Letter]
) -> dict[str, Any]:
    """`buyer --json`: the address, its orders as `order --json`, letters and index entries."""
    return {
        "email": email,
        "orders": views,
        "dead_letters": [letter_view(x) for x in letters],
        "index": deps.orders.list(customer_prefix(email)),
    }


def _print_held(
    deps: ConsoleDeps, email: str, views: list[dict[str, Any]], letters: list[Letter]
) -> None:
    out = deps.out
    out.print(f"{email}: {len(views)} order{'' if len(views) == 1 else 's'}", markup=False)
    table = Table("order", "status", "name", "product", "bought", "code", "downloads", box=None)
    for view in views:
        table.add_row(
            view["order_id"],
            view["status"],
            view["buyer_name"],
            ", ".join(view["products"]) or view["title"],
            view["created_at"],
            view["code"],
            str(sum(f["downloads"] for f in view["files"])),
        )
    out.print(table)
    mails = Table("order", "at", "kind", "to", "status", box=None, title="mails")
    for view in views:
        for mail in view["mails"]:
            status = str(mail.get("status", "")) or "-"  # once the provider's events are kept
            mails.add_row(view["order_id"], mail["at"], mail["kind"], view["mail_to"], status)
    out.print(mails)
    if letters:
        out.print(f"dead letters: {', '.join(x.id for x in letters)}", markup=False)
