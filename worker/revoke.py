"""Revoke an order after a refund or chargeback: refuse its links, delete its copies.

The record is kept with status `revoked` (links, re-sends and the stamp-code
check all read it). A refund that arrives before the purchase was fulfilled
leaves a revoked stub, so the late purchase message delivers nothing.
"""

from __future__ import annotations

import logging

from common.contract import OrderRevoked, now_iso
from common.orders import OrderRecord, Status, load_record, save_record
from common.storage import PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import TransientError

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def revoke_order(message: OrderRevoked, deps: WorkerDeps) -> str:
    bucket = deps.settings.delivery_bucket
    for _ in range(_ATTEMPTS):
        current, generation = load_record(deps.storage, bucket, message.order_id)
        if current is None:
            record = OrderRecord.revoked_stub(
                message.order_id, at=now_iso(), reason=message.reason, by=message.revoked_by
            )
        else:
            record = current.revoked(reason=message.reason, at=now_iso(), by=message.revoked_by)
        if record == current:
            break
        try:
            save_record(deps.storage, bucket, record, generation)
            break
        except PreconditionFailed:
            continue
    else:
        raise TransientError(f"order {message.order_id} kept changing; retrying later")
    delete_copies(record, deps)
    log.info(
        "order revoked",
        extra={"order_id": message.order_id, "reason": message.reason, "by": message.revoked_by},
    )
    return Status.REVOKED


def delete_copies(record: OrderRecord, deps: WorkerDeps) -> None:
    """Remove a revoked order's stamped copies; deleting a missing one is fine."""
    for delivered in record.files:
        deps.storage.delete(deps.settings.delivery_bucket, delivered.object_name)
