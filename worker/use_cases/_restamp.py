"""Stamp again a copy the bucket's lifecycle rule deleted (or a restore left missing).

Terraform deletes stamped copies after `stamped_copy_days`, but links live for
LINK_TTL and re-sends mail fresh ones. So a download whose copy is gone
publishes CopyRequested (the service's download page then says "your copy is
being prepared" and refreshes), and a re-send makes the missing copies of its
order before mailing. Both come here: the copy is stamped from the current
original through worker/copies.stamp_copies, and the record notes it
(copies_remade) under a generation precondition. Idempotent: a copy that
exists is left alone, so redeliveries and concurrent requests make it once
(or twice, equal, if they race; the record keeps one history entry per win).
Revoked orders and refunded files get nothing, and a copy written while a
refund landed is deleted again.
"""

from __future__ import annotations

import logging

from common.messages import CopyRequested, now_iso
from common.orders import OrderRecord, Status, load_record, save_record
from common.storage import PreconditionFailed, TransientStorageError, exists
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.use_cases._copies import stamp_copies
from worker.use_cases._revoke import delete_copies

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def restamp_copy(message: CopyRequested, deps: WorkerDeps) -> str:
    """Make the requested copy again if it is missing; return what happened."""
    return remake_missing(message.order_id, deps, (message.file_index,))


def remake_missing(order_id: str, deps: WorkerDeps, wanted: tuple[int, ...] | None = None) -> str:
    """Stamp again the missing copies among `wanted` (default: every live file)."""
    bucket = deps.settings.delivery_bucket
    for _ in range(_ATTEMPTS):
        record, generation = load_record(deps.storage, bucket, order_id)
        if record is None or not record.deliverable:
            if record is not None and record.status == Status.REVOKED:
                delete_copies(record, deps)  # a refund may have landed while we stamped
            return "nothing to re-stamp"
        missing = _missing(record, deps, wanted)
        if not missing:
            return "copies present"
        files = stamp_copies(record, deps, missing)
        remade = record.copies_remade(files, missing, at=now_iso())
        try:
            save_record(deps.storage, bucket, remade, generation)
        except PreconditionFailed:
            continue
        log.info("copies re-stamped", extra={"order_id": order_id, "files": list(missing)})
        return "re-stamped"
    raise TransientError(f"order {order_id} kept changing; retrying later")


def _missing(
    record: OrderRecord, deps: WorkerDeps, wanted: tuple[int, ...] | None
) -> tuple[int, ...]:
    live = record.live_files
    return tuple(
        n
        for n in (live if wanted is None else wanted)
        if n in live and not _stored(record, n, deps)
    )


def _stored(record: OrderRecord, index: int, deps: WorkerDeps) -> bool:
    try:
        return exists(deps.storage, deps.settings.delivery_bucket, record.files[index].object_name)
    except TransientStorageError as exc:
        raise TransientError(f"cannot check copy {index} of {record.order_id}: {exc}") from exc
