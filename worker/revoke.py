"""Revoke an order, or some of its files, after a refund or chargeback; delete those copies.

The record is kept with status `revoked` (links, re-sends and the stamp-code
check all read it). A refund that arrives before the purchase was fulfilled
leaves a revoked stub, so the late purchase message delivers nothing.

A refund of some items (one book of two) revokes only the files those
transaction items delivered (each DeliveredFile names its item); the order
stays as it was unless every file is gone. A refund of items the record does
not know (an order made before items were recorded) is dead-lettered for the
author to revoke by hand, rather than guessed; one that comes before its
purchase is retried until the purchase is recorded.
"""

from __future__ import annotations

import logging

from common.contract import ItemsRefunded, OrderRevoked, now_iso
from common.orders import OrderRecord, Status, load_record, save_record
from common.storage import PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def revoke_order(message: OrderRevoked, deps: WorkerDeps) -> str:
    bucket = deps.settings.delivery_bucket
    for _ in range(_ATTEMPTS):
        current, generation = load_record(deps.storage, bucket, message.order_id)
        if current is None:
            record = OrderRecord.revoked_stub(message.order_id, at=now_iso(), reason=message.reason)
        else:
            record = current.revoked(reason=message.reason, at=now_iso())
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
    log.info("order revoked", extra={"order_id": message.order_id, "reason": message.reason})
    return Status.REVOKED


def revoke_items(message: ItemsRefunded, deps: WorkerDeps) -> str:
    """Revoke the files of the refunded transaction items; the rest of the order stays."""
    bucket = deps.settings.delivery_bucket
    for _ in range(_ATTEMPTS):
        current, generation = load_record(deps.storage, bucket, message.order_id)
        if current is None:
            raise TransientError(f"order {message.order_id} is not recorded yet; retrying")
        indexes = current.files_of_items(message.item_ids)
        unknown = set(message.item_ids) - {current.files[n].item_id for n in indexes}
        if unknown and current.status != Status.REVOKED:
            raise PermanentError(
                f"order {message.order_id} has no files for items {', '.join(sorted(unknown))}; "
                "revoke them by hand if the buyer must lose them"
            )
        record = current.files_revoked(indexes, reason=message.reason, at=now_iso())
        if record is current:
            break
        try:
            save_record(deps.storage, bucket, record, generation)
            break
        except PreconditionFailed:
            continue
    else:
        raise TransientError(f"order {message.order_id} kept changing; retrying later")
    delete_copies(record, deps, indexes)
    log.info("files revoked", extra={"order_id": message.order_id, "files": list(indexes)})
    return record.status


def delete_copies(
    record: OrderRecord, deps: WorkerDeps, indexes: tuple[int, ...] | None = None
) -> None:
    """Remove stamped copies (all of a revoked order's by default); a missing one is fine."""
    for n in range(len(record.files)) if indexes is None else indexes:
        deps.storage.delete(deps.settings.delivery_bucket, record.files[n].object_name)
