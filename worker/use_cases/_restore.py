"""Restore an order a chargeback revoked, once the chargeback is reversed (the dispute was won).

Billing's approved `chargeback_reverse` and Classic's `payment_dispute_closed`
become OrderRestored. Only a revocation for a chargeback is taken back: a
refund, or a revocation by the author, stands. The order returns to where it
was: a mailed order is mailed again as far as its links are concerned (they
work again; the copies the revocation deleted are stamped again on demand, by
the download page or a re-send, worker/use_cases/_upkeep.py); an order revoked before
its mail went out goes on to be mailed now. Files a partial refund took stay
revoked. A stub (revoked before its purchase was ever recorded) has nothing to
restore; that is logged for the author, who can replay the purchase.
"""

from __future__ import annotations

import logging

from common.messages import OrderRestored, now_iso
from common.orders import InvalidTransition, OrderRecord, RecordContended, Status, update_record
from common.storage import NotFound
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.use_cases._delivery import advance_order

log = logging.getLogger(__name__)


def restore_order(message: OrderRestored, deps: WorkerDeps) -> str:
    """Take a chargeback's revocation back; return the order's status."""
    ids = {"order_id": message.order_id, "reason": message.reason}

    def restored(current: OrderRecord) -> OrderRecord:
        if current.status != Status.REVOKED:
            return current  # nothing to restore
        return current.restored(at=now_iso(), note=f"{message.reason} ({message.event_id})")

    try:
        record = update_record(
            deps.storage, deps.settings.delivery_bucket, message.order_id, restored
        )
    except NotFound:
        log.info("nothing to restore", extra={**ids, "status": ""})
        return "unknown order"
    except InvalidTransition as exc:
        log.warning("order not restored", extra={**ids, "why": str(exc)})
        return Status.REVOKED
    except RecordContended:
        raise TransientError(f"order {message.order_id} kept changing; retrying later") from None
    log.info("order restored", extra={**ids, "status": record.status})
    if record.status in (Status.RECEIVED, Status.STAMPED):
        return advance_order(record.order_id, deps)
    return record.status
