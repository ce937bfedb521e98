"""Restore an order a chargeback revoked, once the chargeback is reversed (the dispute was won).

Billing's approved `chargeback_reverse` and Classic's `payment_dispute_closed`
become OrderRestored. Only a revocation for a chargeback is taken back: a
refund, or a revocation by the author, stands. The order returns to where it
was: a mailed order is mailed again as far as its links are concerned (they
work again; the copies the revocation deleted are stamped again on demand, by
the download page or a re-send, worker/restamp.py); an order revoked before
its mail went out goes on to be mailed now. Files a partial refund took stay
revoked. A stub (revoked before its purchase was ever recorded) has nothing to
restore; that is logged for the author, who can replay the purchase.
"""

from __future__ import annotations

import logging

from common.contract import OrderRestored, now_iso
from common.orders import InvalidTransition, Status, load_record, save_record
from common.storage import PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.fulfil import complete_order

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def restore_order(message: OrderRestored, deps: WorkerDeps) -> str:
    """Take a chargeback's revocation back; return the order's status."""
    bucket = deps.settings.delivery_bucket
    ids = {"order_id": message.order_id, "reason": message.reason}
    for _ in range(_ATTEMPTS):
        current, generation = load_record(deps.storage, bucket, message.order_id)
        if current is None or current.status != Status.REVOKED:
            log.info("nothing to restore", extra={**ids, "status": getattr(current, "status", "")})
            return current.status if current else "unknown order"
        try:
            record = current.restored(at=now_iso(), note=f"{message.reason} ({message.event_id})")
        except InvalidTransition as exc:
            log.warning("order not restored", extra={**ids, "why": str(exc)})
            return current.status
        try:
            save_record(deps.storage, bucket, record, generation)
            break
        except PreconditionFailed:
            continue
    else:
        raise TransientError(f"order {message.order_id} kept changing; retrying later")
    log.info("order restored", extra={**ids, "status": record.status})
    if record.status in (Status.RECEIVED, Status.STAMPED):
        return complete_order(record.order_id, deps)
    return record.status
