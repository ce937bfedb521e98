"""Revoke an order, or some of its files, after a refund or chargeback; delete those copies.

A whole order is revoked by _revocation.py's `revoke` (the record is kept as
`revoked`; a refund before its purchase leaves a stub that the late purchase
cannot deliver past).

A refund of some items (one book of two) revokes only the files those
transaction items delivered (each DeliveredFile names its item); the order
stays as it was unless every file is gone. A refund of items the record does
not know (an order made before items were recorded) is dead-lettered for the
author to revoke by hand, rather than guessed; one that comes before its
purchase is retried until the purchase is recorded.
"""

from __future__ import annotations

import logging

from common.messages import ItemsRefunded, OrderRevoked, now_iso
from common.orders import OrderRecord, Status
from common.storage import NotFound
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError
from worker.use_cases._revocation import changed, revoke
from worker.use_cases._upkeep import delete_copies

log = logging.getLogger(__name__)


def revoke_order(message: OrderRevoked, deps: WorkerDeps) -> str:
    """Revoke the whole order and delete its copies (_revocation.py); return its status."""
    return revoke(message.order_id, deps, reason=message.reason, by=message.revoked_by)


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
        record = changed(deps, message.order_id, take_back)
    except NotFound:
        raise TransientError(f"order {message.order_id} is not recorded yet; retrying") from None
    if not found[0]:
        log.info("refunded items delivered no book", extra={"order_id": message.order_id})
        return record.status
    delete_copies(record, deps, found[0])
    log.info("files revoked", extra={"order_id": message.order_id, "files": list(found[0])})
    return record.status
