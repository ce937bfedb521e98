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
from collections.abc import Callable

from common.messages import ItemsRefunded, OrderRevoked, now_iso
from common.orders import OrderRecord, RecordContended, Status, save_record, update_record
from common.storage import NotFound, PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError
from worker.use_cases._upkeep import delete_copies

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def revoke_order(message: OrderRevoked, deps: WorkerDeps) -> str:
    bucket, by = deps.settings.delivery_bucket, message.revoked_by
    for _ in range(_ATTEMPTS):
        try:
            record = _changed(
                deps,
                message.order_id,
                lambda r: r.revoked(reason=message.reason, at=now_iso(), by=by),
            )
            break
        except NotFound:
            # A refund before its purchase: a stub, so the late purchase delivers nothing.
            stub = OrderRecord.revoked_stub(
                message.order_id, at=now_iso(), reason=message.reason, by=by
            )
            try:
                save_record(deps.storage, bucket, stub, 0)
                record = stub
                break
            except PreconditionFailed:
                continue  # the purchase was recorded meanwhile: revoke that
    else:
        raise TransientError(f"order {message.order_id} kept changing; retrying later")
    delete_copies(record, deps)
    log.info(
        "order revoked",
        extra={"order_id": message.order_id, "reason": message.reason, "by": by},
    )
    return Status.REVOKED


def revoke_items(message: ItemsRefunded, deps: WorkerDeps) -> str:
    """Revoke the files of the refunded transaction items; the rest of the order stays."""
    found: list[tuple[int, ...]] = []

    def take_back(current: OrderRecord) -> OrderRecord:
        indexes = current.files_of_items(message.item_ids)
        unknown = set(message.item_ids) - {current.files[n].item_id for n in indexes}
        # An item the sale had that delivered no book (a T-shirt in the same Shopify cart)
        # has nothing to take back; an item the sale never had is kept for the author.
        unknown -= set(current.item_ids)
        if unknown and current.status != Status.REVOKED:
            raise PermanentError(
                f"order {message.order_id} has no files for items {', '.join(sorted(unknown))}; "
                "revoke them by hand if the buyer must lose them"
            )
        found[:] = [indexes]
        return current.files_revoked(indexes, reason=message.reason, at=now_iso())

    try:
        record = _changed(deps, message.order_id, take_back)
    except NotFound:
        raise TransientError(f"order {message.order_id} is not recorded yet; retrying") from None
    if not found[0]:
        log.info("refunded items delivered no book", extra={"order_id": message.order_id})
        return record.status
    delete_copies(record, deps, found[0])
    log.info("files revoked", extra={"order_id": message.order_id, "files": list(found[0])})
    return record.status


def _changed(
    deps: WorkerDeps, order_id: str, change: Callable[[OrderRecord], OrderRecord]
) -> OrderRecord:
    """The record after `change`, written under its generation; a contended one is retried."""
    try:
        return update_record(deps.storage, deps.settings.delivery_bucket, order_id, change)
    except RecordContended:
        raise TransientError(f"order {order_id} kept changing; retrying later") from None
