"""`exlibris resend ID [--to ADDRESS --reason TEXT]`, `exlibris revoke ID --reason` and
`exlibris restore ID --reason`: one message each, handled by the worker.

The `request_*` functions check and publish; the dashboard calls them too, so
both publish the same messages.

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

from common.messages import ContractError, OrderRestored, OrderRevoked, ResendRequested, now_iso
from common.orders import RESTORABLE, OrderRecord, Status, request_marker
from common.storage import NotFound
from console.deps import ConsoleDeps
from console.errors import ConsoleError, UsageError

T = TypeVar("T")


def run_resend(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    record, message = request_resend(deps, args.order_id, args.to or "", args.reason or "", args.by)
    marker = request_marker(message.request_id, record.order_id)
    mail_id = wait_for(deps, args.wait, lambda: _read_text(deps, marker))
    if mail_id is None:
        return unconfirmed(deps, args.wait, f"re-send of {record.order_id}", record.order_id)
    email = message.to or record.mail_to
    deps.out.print(f"re-sent the links of {record.order_id} to {email} (mail {mail_id})")
    return 0


def request_resend(
    deps: ConsoleDeps, order_id: str, to: str, reason: str, by: str
) -> tuple[OrderRecord, ResendRequested]:
    """Check the order and publish its re-send (to a corrected address when `to` is given)."""
    reason = reason.strip()
    if to and not reason:
        raise UsageError("--to needs --reason: say why the address changed, for the record")
    if reason and not to:
        raise UsageError("--reason goes with --to ADDRESS (a plain re-send needs neither)")
    record = _record(deps, order_id)
    if not record.deliverable:
        raise ConsoleError(f"order {record.order_id} is {record.status}: nothing to re-send")
    try:
        message = ResendRequested(
            record.order_id, uuid.uuid4().hex, now_iso(), to=to, reason=reason,
            requested_by=by if to else "",
        )  # fmt: skip
    except ContractError as exc:  # an address, reason or --by the message cannot carry
        raise UsageError(str(exc)) from None
    _publish(deps, message)
    return record, message


def run_revoke(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    record = request_revoke(deps, args.order_id, args.reason, args.by)
    if record.status == Status.REVOKED:
        deps.out.print(f"order {record.order_id} was revoked already, at {record.revoked_at}")
        return 0
    revoked = wait_for(deps, args.wait, lambda: _revoked(deps, record.order_id))
    if revoked is None:
        return unconfirmed(deps, args.wait, f"revocation of {record.order_id}", record.order_id)
    deps.out.print(
        f"revoked {record.order_id} at {revoked.revoked_at}: its links answer 410, "
        "its copies are deleted and /verify says revoked"
    )
    return 0


def request_revoke(deps: ConsoleDeps, order_id: str, reason: str, by: str) -> OrderRecord:
    """Publish the order's revocation unless it is revoked already; the record as it was."""
    reason = reason.strip()
    if not reason:
        raise ConsoleError("--reason: say why, for the record (e.g. 'refunded by hand')")
    record = _record(deps, order_id)
    if record.status == Status.REVOKED:
        return record
    try:
        message = OrderRevoked(
            order_id=record.order_id,
            event_id=f"console-{uuid.uuid4().hex}",
            occurred_at=now_iso(),
            reason=reason,
            revoked_by=by,
        )
    except ContractError as exc:  # a reason or --by the message cannot carry
        raise UsageError(str(exc)) from None
    _publish(deps, message)
    return record


def run_restore(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    record = request_restore(deps, args.order_id, args.reason)
    restored = wait_for(deps, args.wait, lambda: _restored(deps, record.order_id))
    if restored is None:
        return unconfirmed(deps, args.wait, f"restore of {record.order_id}", record.order_id)
    deps.out.print(f"restored {record.order_id}: it is {restored.status} again")
    return 0


def request_restore(deps: ConsoleDeps, order_id: str, reason: str) -> OrderRecord:
    """Publish the restore of an order a chargeback revoked (a won dispute); the record."""
    reason = reason.strip()
    if not reason:
        raise ConsoleError("--reason: say why, for the record (e.g. 'dispute won')")
    record = _record(deps, order_id)
    if record.status != Status.REVOKED or record.revoked_reason not in RESTORABLE:
        why = record.revoked_reason or record.status
        raise ConsoleError(f"order {record.order_id} cannot be restored ({why}): only a chargeback")
    try:
        message = OrderRestored(record.order_id, f"console-{uuid.uuid4().hex}", now_iso(), reason)
    except ContractError as exc:
        raise UsageError(str(exc)) from None
    _publish(deps, message)
    return record


def _record(deps: ConsoleDeps, order_id: str) -> OrderRecord:
    record, _ = deps.orders.load(order_id)
    if record is None:
        raise ConsoleError(f"no order {order_id}")
    return record


def _publish(deps: ConsoleDeps, message: ResendRequested | OrderRevoked | OrderRestored) -> None:
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


def _restored(deps: ConsoleDeps, order_id: str) -> OrderRecord | None:
    record, _ = deps.orders.load(order_id)
    return record if record is not None and record.status != Status.REVOKED else None


def unconfirmed(deps: ConsoleDeps, waited: float, what: str, order_id: str) -> int:
    if not waited:
        deps.out.print(f"{what} requested")
        return 0
    raise ConsoleError(
        f"{what} was published but not done within {waited:g} s; "
        f"see `exlibris order {order_id}` and `exlibris dead-letters`"
    )
