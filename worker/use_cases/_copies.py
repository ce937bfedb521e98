"""Make an order's personal copies: stamp each original for the buyer, store it.

Shared by fulfilment and by every later need for a fresh copy, PDF and EPUB
alike (stamping/formats.py picks the engine by content). Idempotent: a
retry overwrites a copy with an equal one. Each stored copy names the
generation of the original it was made from, so a caller can tell a copy of
the current edition from an older one.

A stamped PDF comes from the edition's plan (stamping/pdf/plan/), prepared
once per instance and kept in `deps.plans`: a burst of buyers of one book
reads and lays it out once, and each copy costs about a memory copy of it.
Unstamped files come from the originals cache.

Failures: a book the engine cannot stamp is permanent (dead-lettered); a
missing original, a storage blip or a missing font is transient (retried).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import BinaryIO, TypeVar

from common.i18n import choose
from common.memory import release_free_memory
from common.orders import DeliveredFile, OrderRecord
from common.storage import NotFound, TransientStorageError
from stamping.formats import Prepared, prepare
from stamping.stamp import FontMissing, Stamp, StampError
from stamping.style import StampStyle
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError

log = logging.getLogger(__name__)
# Above this a copy is streamed to storage in chunks, so memory stays flat for photo books.
STREAM_ABOVE = 16 * 1024 * 1024


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
    # A file recorded as stamped is always stamped, even if the catalog changed
    # since (a renamed file after a fix): never deliver an unmarked copy.
    if delivered.stamped:
        generation, size = _stamped_copy(record, delivered, deps)
    else:
        bucket = deps.settings.source_bucket
        blob = _storage(lambda: deps.originals.read_current(bucket, delivered.source), delivered)
        generation = blob.generation
        size = _store(deps, delivered, lambda out: out.write(blob.data), len(blob.data))
    return replace(delivered, source_generation=generation, size=size)


def _stamped_copy(
    record: OrderRecord, delivered: DeliveredFile, deps: WorkerDeps
) -> tuple[int, int]:
    """Stamp the buyer's copy from the edition's cached plan; its generation and size."""
    bucket = deps.settings.source_bucket
    generation = _storage(lambda: deps.storage.generation(bucket, delivered.source), delivered)
    # In the buyer's language when the author translated the templates (as their mails speak it).
    language = choose(order=record.language, shop=deps.settings.shop_language)
    style = deps.catalog.style_of(delivered.source, language) or StampStyle()
    plan = deps.plans.get(
        (bucket, delivered.source, generation, style), lambda: _prepare(delivered, deps, style)
    )
    verify_url = f"{deps.settings.public_url.rstrip('/')}/verify?code={record.code}"
    # Under an imprint the EPUB's ex-libris page names it, in its colour, as its mails do.
    imprint = deps.catalog.sold_under(record.imprint, record.products)
    stamp = Stamp(
        record.buyer_name,
        record.buyer_email,
        record.order_id,
        record.code,
        verify_url,
        seller=imprint.shop_name if imprint else "",
        accent=imprint.accent_color if imprint else "",
    )
    dropped: list[str] = []
    size = _store(deps, delivered, lambda out: dropped.append(plan.write(stamp, out)), plan.nbytes)
    if any(dropped):
        # Code points only: the log never holds a buyer's name, not even a part of it.
        points = sorted({f"U+{ord(ch):04X}" for ch in "".join(dropped)})
        log.warning(
            "the stamp left out characters no installed font draws",
            extra={"order_id": record.order_id, "source": delivered.source, "left_out": points},
        )
    return generation, size


def _store(
    deps: WorkerDeps, delivered: DeliveredFile, produce: Callable[[BinaryIO], object], size: int
) -> int:
    """Write one copy (in one request when small, streamed in chunks when big); its size."""
    name = delivered.object_name
    written: list[int] = []

    def measured(out: BinaryIO) -> None:
        produce(out)
        written.append(out.tell())

    try:
        if size > STREAM_ABOVE:
            deps.orders.write_from(name, measured)
        else:
            out = io.BytesIO()
            produce(out)
            data = out.getvalue()  # a copy of the buffer: take it once
            deps.orders.write(name, data)
            written.append(len(data))
    except FontMissing as exc:  # the image lacks a font: a deploy fixes it, not the book
        raise TransientError(str(exc)) from exc
    except StampError as exc:  # the book itself (a limit passed while writing): no retry helps
        raise PermanentError(f"cannot stamp {delivered.source}: {exc}") from exc
    except TransientStorageError as exc:
        raise TransientError(f"writing {name} failed: {exc}") from exc
    return written[0]


def _prepare(delivered: DeliveredFile, deps: WorkerDeps, style: StampStyle) -> Prepared:
    """The plan of one edition: read once (not kept as bytes), laid out once per instance."""
    bucket = deps.settings.source_bucket
    started = time.perf_counter()
    blob = _storage(lambda: deps.storage.read(bucket, delivered.source), delivered)
    generation = blob.generation
    try:
        plan = prepare(blob.data, style, deps.settings.limits)
    except StampError as exc:
        raise PermanentError(f"cannot stamp {delivered.source}: {exc}") from exc
    finally:
        del blob  # the original's bytes, then the parse's freed heap, go back before any copy
        release_free_memory()
    log.info(
        "plan prepared",
        extra={
            "event": "plan_prepared",
            "source": delivered.source,
            "generation": generation,
            "seconds": round(time.perf_counter() - started, 3),
            "notes": list(plan.notes),
        },
    )
    return plan


T = TypeVar("T")


def _storage(call: Callable[[], T], delivered: DeliveredFile) -> T:
    """Run a read of the original, mapping storage trouble onto retries."""
    try:
        return call()
    except NotFound as exc:
        where = f"the original {delivered.source} is missing from the source bucket; upload it"
        raise TransientError(where) from exc
    except TransientStorageError as exc:
        raise TransientError(f"reading {delivered.source} failed: {exc}") from exc
