"""Re-issue one order after the author uploaded a new edition: re-stamp its copies, mail once.

`exlibris reissue PRODUCT` publishes one EditionReissued per order; this
handles one. Markers (common/reissues.py) make it happen once per order and
edition, whatever Pub/Sub redelivers or the author runs again:

    done/ exists            nothing to do (a redelivery, a second run)
    claims/ fresh           another delivery is at it: retry later
    claims/ absent or stale claim it (create-only, or take a stale one over by generation)

then the product's files are stamped again from the current originals
(worker/copies.py records each copy's generation), their download counts start
again from zero, the buyer gets one "a new edition is ready" mail, done/ is
written, and only then the record takes the new generations and the mail (so a
failed mail leaves it saying "old edition").

Skipped without a mail (done/ says why): a revoked order; an order not yet
delivered (its delivery stamps from the current original anyway); an order
whose copies already come from these generations (bought after the upload).
An order still being mailed is retried later. A crash between the mail and
done/ lets the claim go stale, so that buyer may get the mail twice, never
none, as with fulfilment. A permanent failure also writes failed/, which the
console counts, before the push route dead-letters it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from common.catalog import Product
from common.messages import EditionReissued, now_iso
from common.orders import (
    DeliveredFile,
    InvalidTransition,
    OrderRecord,
    RecordContended,
    Status,
)
from common.storage import NotFound, TransientStorageError
from worker.deps import WorkerDeps
from worker.errors import MailOutcomeUnknown, PermanentError, TransientError, WorkerError
from worker.use_cases._copies import stamp_copies
from worker.use_cases._links_mail import mail_new_edition
from worker.use_cases._reissue_markers import ReissueMarkers

log = logging.getLogger(__name__)


def reissue_order(message: EditionReissued, deps: WorkerDeps) -> str:
    """Bring one order to the new edition; return what happened."""
    markers = ReissueMarkers(message, deps)
    try:
        return _reissue(message, markers, deps)
    except PermanentError as exc:
        markers.failed(str(exc))
        raise
    except (TransientStorageError, RecordContended) as exc:
        raise TransientError(f"re-issue of {message.order_id}: {exc}") from exc


def _reissue(message: EditionReissued, markers: ReissueMarkers, deps: WorkerDeps) -> str:
    if markers.done():
        return "already re-issued"
    record, _ = deps.orders.load(message.order_id)
    if record is None:
        raise PermanentError(f"no order {message.order_id}")
    product = _product(message.product, deps)
    indexes = record.files_of({f.source for f in product.files})
    skipped = _reason_to_skip(record, indexes, product, deps)
    if skipped:
        return markers.finish(skipped)
    markers.claim()
    try:
        files = stamp_copies(record, deps, indexes)
        if not _still_entitled(record, files, indexes, deps):
            return markers.finish("skipped: revoked")
        for n in indexes:  # the new edition's links must work for a buyer who used up the old
            deps.orders.reset_count(record.order_id, n)
        mail_id = mail_new_edition(replace(record, files=files), deps, product.title, indexes)
    except MailOutcomeUnknown:
        raise  # keep the claim: a second mail now could be a duplicate
    except WorkerError:
        markers.release()
        raise
    outcome = markers.finish(f"mailed {mail_id}")
    _record(message, record, files, indexes, mail_id, deps)
    log.info("order re-issued", extra={"order_id": record.order_id, "edition": message.edition})
    return outcome


def _product(slug: str, deps: WorkerDeps) -> Product:
    found = next((p for p in deps.catalog.products if p.slug == slug), None)
    if found is None:
        raise PermanentError(f"no catalog product {slug!r}")
    return found


def _reason_to_skip(
    record: OrderRecord, indexes: tuple[int, ...], product: Product, deps: WorkerDeps
) -> str:
    """Why this order needs no new copy, or "" when it does."""
    if record.status == Status.REVOKED:
        return "skipped: revoked"
    if record.status == Status.RECEIVED:
        return "skipped: not delivered yet (its delivery stamps the current original)"
    if record.status != Status.MAILED:
        raise TransientError(f"order {record.order_id} is still being delivered")
    if not indexes:
        return f"skipped: the order has no files of {product.slug}"
    source_bucket = deps.settings.source_bucket
    try:
        current = {
            f.source: deps.storage.generation(source_bucket, f.source) for f in product.files
        }
    except NotFound as exc:
        raise TransientError(f"an original of {product.slug} is missing: {exc}") from exc
    if record.copies_current(current):
        return "skipped: the copies are of this edition already"
    return ""


def _still_entitled(
    record: OrderRecord,
    files: tuple[DeliveredFile, ...],
    indexes: tuple[int, ...],
    deps: WorkerDeps,
) -> bool:
    """False when a refund came while we stamped; the copies just written are taken back."""
    current, _ = deps.orders.load(record.order_id)
    if current is not None and current.deliverable:
        return True
    _take_back(files, indexes, deps)
    return False


def _take_back(
    files: tuple[DeliveredFile, ...], indexes: tuple[int, ...], deps: WorkerDeps
) -> None:
    for n in indexes:
        deps.orders.delete(files[n].object_name)


def _record(
    message: EditionReissued,
    record: OrderRecord,
    files: tuple[DeliveredFile, ...],
    indexes: tuple[int, ...],
    mail_id: str,
    deps: WorkerDeps,
) -> None:
    """Write the new copies' generations and the mail into the record, once it was sent.

    Only after the mail: a record that says "this edition" while its buyer was
    never told would make every later run skip the order. done/ already stops a
    second mail, so a record that cannot be written is logged, not retried.
    """
    note = f"new edition {message.edition} of {message.product}"
    at = now_iso()

    def reissued(current: OrderRecord) -> OrderRecord:
        restamped = current.restamped(files, at=at, note=note)
        return restamped.mail_sent("new-edition", provider_id=mail_id, at=at)

    try:
        deps.orders.update(record.order_id, reissued)
    except InvalidTransition:  # revoked after the mail: its links answer 410; take the copies
        _take_back(files, indexes, deps)
    except RecordContended as exc:
        log.warning("re-issue not recorded", extra={"order_id": record.order_id, "why": str(exc)})
