"""Revoking and restoring an order by its id: the steps the use cases share.

revoke_order and restore_order (a message naming our order) and the payment
use cases (a message naming Stripe's payment, mapped to our order through the
payment index) all end here, so a refund means the same thing whoever sent it.

Revoking keeps the record with status `revoked` (links, re-sends and the
stamp-code check all read it) and deletes the copies. A refund that arrives
before the purchase was recorded leaves a revoked stub, so the late purchase
message delivers nothing. Restoring takes back only a revocation for a
chargeback: a refund, or a revocation by the author, stands. The order returns
to where it was: a mailed order's links work again (the copies the revocation
deleted are stamped again on demand, by the download page or a re-send,
worker/use_cases/_upkeep.py); an order revoked before its mail went out goes on
to be mailed now. Files a partial refund took stay revoked. A stub (revoked
before its purchase was ever recorded) has nothing to restore; that is logged
for the author, who can replay the purchase.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from common.messages import now_iso
from common.orders import (
    InvalidTransition,
    OrderRecord,
    RecordContended,
    Status,
)
from common.storage import NotFound, PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.use_cases._delivery import advance_order, note_stats
from worker.use_cases._upkeep import delete_copies

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def revoke(order_id: str, deps: WorkerDeps, *, reason: str, by: str) -> str:
    """Revoke the whole order (a stub when it is not recorded yet); delete its copies."""
    for _ in range(_ATTEMPTS):
        try:
            record = changed(
                deps, order_id, lambda r: r.revoked(reason=reason, at=now_iso(deps.clock), by=by)
            )
            break
        except NotFound:
            # A refund before its purchase: a stub, so the late purchase delivers nothing.
            stub = OrderRecord.revoked_stub(order_id, at=now_iso(deps.clock), reason=reason, by=by)
            try:
                deps.orders.save(stub, 0)
                record = stub
                break
            except PreconditionFailed:
                continue  # the purchase was recorded meanwhile: revoke that
    else:
        raise TransientError(f"order {order_id} kept changing; retrying later")
    delete_copies(record, deps)
    note_stats(record, deps)  # a revoked order is no longer on its way (stats/open/)
    log.info("order revoked", extra={"order_id": order_id, "reason": reason, "by": by})
    return Status.REVOKED


def restore(order_id: str, deps: WorkerDeps, *, reason: str, event_id: str) -> str:
    """Take a chargeback's revocation back; return the order's status."""
    ids = {"order_id": order_id, "reason": reason}

    def restored(current: OrderRecord) -> OrderRecord:
        if current.status != Status.REVOKED:
            return current  # nothing to restore
        return current.restored(at=now_iso(deps.clock), note=f"{reason} ({event_id})")

    try:
        record = deps.orders.update(order_id, restored)
    except NotFound:
        log.info("nothing to restore", extra={**ids, "status": ""})
        return "unknown order"
    except InvalidTransition as exc:
        log.warning("order not restored", extra={**ids, "why": str(exc)})
        return Status.REVOKED
    except RecordContended:
        raise TransientError(f"order {order_id} kept changing; retrying later") from None
    log.info("order restored", extra={**ids, "status": record.status})
    if record.status in (Status.RECEIVED, Status.STAMPED):
        return advance_order(record.order_id, deps)
    return record.status


def changed(
    deps: WorkerDeps, order_id: str, change: Callable[[OrderRecord], OrderRecord]
) -> OrderRecord:
    """The record after `change`, written under its generation; a contended one is retried."""
    try:
        return deps.orders.update(order_id, change)
    except RecordContended:
        raise TransientError(f"order {order_id} kept changing; retrying later") from None
