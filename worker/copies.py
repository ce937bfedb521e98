"""Make an order's personal copies: read each original, stamp it for the buyer, store it.

Shared by fulfilment and by every later need for a fresh copy. Idempotent: a
retry overwrites a copy with an equal one. Each stored copy names the
generation of the original it was made from, so a caller can tell a copy of
the current edition from an older one.

Failures: a book the engine cannot stamp is permanent (dead-lettered); a
missing original, a storage blip or a missing font is transient (retried).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from common.orders import DeliveredFile, OrderRecord
from common.storage import Blob, NotFound, TransientStorageError
from stamping.pdf.fonts import FontMissing
from stamping.pdf.stamper import stamp_pdf
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError

log = logging.getLogger(__name__)


def stamp_copies(
    record: OrderRecord, deps: WorkerDeps, indexes: tuple[int, ...] | None = None
) -> tuple[DeliveredFile, ...]:
    """Write the copies of the given files (by default every file no refund took back).

    Returns all the order's files, those written with their generations and sizes.
    """
    started = time.perf_counter()
    files = list(record.files)
    for n in record.live_files if indexes is None else indexes:
        files[n] = _make_copy(record, files[n], deps)
    log.info(
        "copies stored",
        extra={
            "event": "copies_stored",
            "order_id": record.order_id,
            "files": len(record.live_files) if indexes is None else len(indexes),
            "stamp_seconds": round(time.perf_counter() - started, 3),
        },
    )
    return tuple(files)


def _make_copy(record: OrderRecord, delivered: DeliveredFile, deps: WorkerDeps) -> DeliveredFile:
    original = _read_original(delivered.source, deps)
    data = original.data
    # A file recorded as stamped is always stamped, even if the catalog changed
    # since (a renamed file after a fix): never deliver an unmarked copy.
    if delivered.stamped:
        style = deps.catalog.style_of(delivered.source) or StampStyle()
        stamp = Stamp(record.buyer_name, record.buyer_email, record.order_id, record.code)
        try:
            data = stamp_pdf(data, stamp, style)
        except StampError as exc:
            raise PermanentError(f"cannot stamp {delivered.source}: {exc}") from exc
        except FontMissing as exc:  # the image lacks a font: a deploy fixes it, not the book
            raise TransientError(str(exc)) from exc
    try:
        deps.storage.write(deps.settings.delivery_bucket, delivered.object_name, data)
    except TransientStorageError as exc:
        raise TransientError(f"writing {delivered.object_name} failed: {exc}") from exc
    return replace(delivered, source_generation=original.generation, size=len(data))


def _read_original(source: str, deps: WorkerDeps) -> Blob:
    try:
        return deps.originals.read_current(deps.settings.source_bucket, source)
    except NotFound as exc:
        raise TransientError(
            f"original gs://{deps.settings.source_bucket}/{source} is missing; upload it"
        ) from exc
    except TransientStorageError as exc:
        raise TransientError(f"reading {source} failed: {exc}") from exc
