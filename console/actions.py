"""`exlibris resend ID [--to ADDRESS --reason TEXT]` and `exlibris revoke ID --reason`: one
message each, handled by the worker.

The console checks the record first (so a typo is an error, not a message),
publishes, and waits until the worker's result shows in storage: the re-send
marker `requests/<request id>/<order id>` holding the mail's id, or the
record's `revoked` status. It never writes a record itself.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from typing import TypeVar

from common.messages import ContractError, OrderRevoked, ResendRequested, now_iso
from common.orders import OrderRecord, Status, request_marker
from common.storage import NotFound
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError

T = TypeVar("T")


def run_resend(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    to, reason = args.to or "", (args.reason or "").strip()
    if to and not reason:
        raise UsageError("--to needs --reason: say why the address changed, for the record")
    if reason and not to:
        raise UsageError("--reason goes with --to ADDRESS (a plain re-send needs neither)")
    record = _record(deps, args.order_id)
    if not record.deliverable:
        raise ConsoleError(f"order {record.order_id} is {record.status}: nothing to re-send")
    try:
        message = ResendRequested(
            record.order_id, uuid.uuid4().hex, now_iso(), to=to, reason=reason,
            requested_by=args.by if to else "",
        )  # fmt: skip
    except ContractError as exc:  # a reason or --by the message cannot carry
        raise UsageError(str(exc)) from None
    _publish(deps, message)
    marker = request_marker(message.request_id, record.order_id)
    mail_id = wait_for(deps, args.wait, lambda: _read_text(deps, marker))
    if mail_id is None:
        return unconfirmed(deps, args.wait, f"re-send of {record.order_id}", record.order_id)
    email = to or record.mail_to
    deps.out.print(f"re-sent the links of {record.order_id} to {email} (mail {mail_id})")
    return 0


def run_revoke(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    reason = args.reason.strip()
    if not reason:
        raise ConsoleError("--reason: say why, for the record (e.g. 'refunded by hand')")
    record = _record(deps, args.order_id)
    if record.status == Status.REVOKED:
        deps.out.print(f"order {record.order_id} was revoked already, at {record.revoked_at}")
        return 0
    message = OrderRevoked(
        order_id=record.order_id,
        event_id=f"console-{uuid.uuid4().hex}",
        occurred_at=now_iso(),
        reason=reason,
        revoked_by=args.by,
    )
    _publish(deps, message)
    revoked = wait_for(deps, args.wait, lambda: _revoked(deps, record.order_id))
    if revoked is None:
        return unconfirmed(deps, args.wait, f"revocation of {record.order_id}", record.order_id)
    deps.out.print(
        f"revoked {record.order_id} at {revoked.revoked_at}: its links answer 410, "
        "its copies are deleted and /verify says revoked"
    )
    return 0


def _record(deps: ConsoleDeps, order_id: str) -> OrderRecord:
    record, _ = deps.orders.load(order_id)
    if record is None:
        raise ConsoleError(f"no order {order_id}")
    return record


def _publish(deps: ConsoleDeps, message: ResendRequested | OrderRevoked) -> None:
    deps.publisher().publish(message)
    if not deps.drain(60.0):
        raise ConsoleError("the message is spooled but the worker did not take it within 60 s")


def wait_for(deps: ConsoleDeps, seconds: float, probe: Callable[[], T | None]) -> T | None:
    """Poll probe until it gives a value or `seconds` pass."""
    deadline = deps.clock() + seconds
    while True:
        found = probe()
        if found is not None or deps.clock() >= deadline:
            return found
        deps.sleep(0.25)


def _read_text(deps: ConsoleDeps, name: str) -> str | None:
    try:
        return deps.orders.read(name).data.decode() or "?"
    except NotFound:
        return None


def _revoked(deps: ConsoleDeps, order_id: str) -> OrderRecord | None:
    record, _ = deps.orders.load(order_id)
    return record if record is not None and record.status == Status.REVOKED else None


def unconfirmed(deps: ConsoleDeps, waited: float, what: str, order_id: str) -> int:
    if not waited:
        deps.out.print(f"{what} requested")
        return 0
    raise ConsoleError(
        f"{what} was published but not done within {waited:g} s; "
        f"see `exlibris order {order_id}` and `exlibris dead-letters`"
    )
