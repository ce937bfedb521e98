"""Keeping an order's copies in step with its record: the steps several use cases share.

A revocation, a raced fulfilment and a re-stamp all delete the copies a refund
took (delete_copies); a download whose copy the lifecycle rule removed and a
re-send both make the missing copies again (remake_missing). Idempotent: a copy
that exists is left alone, and a missing one is fine to delete.
"""

from __future__ import annotations

import logging

from common.messages import now_iso
from common.orders import OrderRecord, Status
from common.storage import PreconditionFailed, TransientStorageError
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.use_cases._copies import stamp_copies

log = logging.getLogger(__name__)
_ATTEMPTS = 8


def remake_missing(order_id: str, deps: WorkerDeps, wanted: tuple[int, ...] | None = None) -> str:
    """Stamp again the missing copies among `wanted` (default: every live file)."""
    for _ in range(_ATTEMPTS):
        record, generation = deps.orders.load(order_id)
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
            deps.orders.save(remade, generation)
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
        return deps.orders.has(record.files[index].object_name)
    except TransientStorageError as exc:
        raise TransientError(f"cannot check copy {index} of {record.order_id}: {exc}") from exc


def delete_copies(
    record: OrderRecord, deps: WorkerDeps, indexes: tuple[int, ...] | None = None
) -> None:
    """Remove stamped copies (all of a revoked order's by default); a missing one is fine."""
    for n in range(len(record.files)) if indexes is None else indexes:
        deps.orders.delete(record.files[n].object_name)
