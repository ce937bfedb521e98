"""Deliver an order: stamp, store, mail — once, whatever Pub/Sub redelivers.

Fulfilment (a paid order) and restoration (a won chargeback) both advance an order here.

The order record is a small state machine, advanced only with generation
preconditions, so concurrent deliveries of one message agree on one history:

    (none) → received → stamped → mailing → mailed        (or revoked at any point)

- (none): a sale that names no products (Stripe's) has them listed first
  (worker/line_items), and a sale naming its payment (payment_ref) is indexed
  under it (index/payments/, create-only) before its record is created, so a
  refund naming the payment finds the order as soon as the order exists. A sale
  naming its checkout (checkout_ref) is indexed the same way (index/checkouts/),
  so /thanks?ref=… finds the order; until the copies exist the page says they
  are being prepared. Both come before the record, so a redelivery after a crash
  still writes them.
- received: the record exists; copies may be missing. A Classic fulfilment
  webhook without the email fields leaves the buyer unknown: the order waits
  (acknowledged, not retried) until the payment_succeeded alert of the same
  order names the buyer, whichever of the two arrives first.
- stamped: every copy is stored; the indexes (common/order_index.py) exist.
- mailing: one delivery has claimed the mail (mail_claimed_at) and is sending.
- mailed: done; redeliveries are acknowledged without side effects.

The author's overview counts orders by the markers of common/stats, written
create-only when the record is created and again whenever a delivery ends
(note_stats), so the markers a crash left out are written by the redelivery.

The copies and the mail claim are recorded in one write (received → stamped →
mailing, both steps in the history), so an order costs three writes of its
record: Cloud Storage takes about one write a second per object
(cloud.google.com/storage/quotas) and answers 429 beyond, and the writes of
one order come within a second. A record is written as `stamped` alone only
when a refused mail releases the claim. No window opens: a crash after the
claim and before the send leaves a claim to go stale, as it always did.

The one window: a crash after the provider accepted the mail but before
`mailed` is recorded. The claim then goes stale (MAIL_CLAIM_SECONDS, 300 s),
and the delivery that takes it over first asks the mailer whether a mail went
out under the stale claim's key (Mailer.sent): if so, it records that one as
mailed. Where the provider cannot tell (SendGrid without its paid activity
API), the mail is sent again: a buyer may get one mail twice, never none.
A fresh claim held by another delivery makes this one retry later; a
send the provider refused releases the claim at once, so the next delivery
tries again instead of waiting for the claim to go stale.
"""

from __future__ import annotations

import contextlib
import logging

from common.codes import SERIAL_ATTEMPTS, code_for_serial, serial_for
from common.messages import Buyer, OrderPaid, now_iso
from common.orders import (
    DeliveredFile,
    InvalidTransition,
    OrderRecord,
    Status,
    checkout_index_name,
    code_name,
    payment_index_name,
)
from common.stats import note_order
from common.storage import PreconditionFailed, TransientStorageError
from worker.customers import CustomerNotFound, LookupUnavailable
from worker.deps import WorkerDeps
from worker.errors import MailOutcomeUnknown, PermanentError, TransientError, WorkerError
from worker.line_items import LineItemsNotFound, LineItemsUnavailable
from worker.use_cases._copies import stamp_copies
from worker.use_cases._links_mail import mail_links
from worker.use_cases._upkeep import delete_copies

log = logging.getLogger(__name__)
_MAX_STEPS = 12


def advance_order(order_id: str, deps: WorkerDeps, message: OrderPaid | None = None) -> str:
    """Advance the order until it is mailed (or found revoked); return its final status.

    Without a message, only an order that already has a record moves (one a won
    chargeback restored, say).
    """
    return _advance(order_id, deps, message)


def _advance(order_id: str, deps: WorkerDeps, message: OrderPaid | None) -> str:
    for _ in range(_MAX_STEPS):
        record, generation = deps.orders.load(order_id)
        try:
            if record is None:
                if message is None:
                    return "unknown order"
                new = _new_record(message, deps)
                _index_payment(message, deps)
                _index_checkout(message, deps)
                deps.orders.save(new, 0)
                note_stats(new, deps)
            elif record.status in (Status.MAILED, Status.REVOKED):
                if record.status == Status.REVOKED:
                    delete_copies(record, deps)  # a refund may have raced our stamping
                note_stats(record, deps)
                log.info("order already %s", record.status, extra={"order_id": record.order_id})
                return record.status
            elif record.awaiting_buyer:
                if message is None or message.buyer is None:
                    note_stats(record, deps)
                    log.info("order waits for its buyer", extra={"order_id": record.order_id})
                    return "awaiting buyer"
                named = record.buyer_resolved(
                    name=message.buyer.name, email=message.buyer.email, at=now_iso(deps.clock)
                )
                deps.orders.save(named, generation)
            elif record.status == Status.RECEIVED:
                _mail_once(_stamp_all(record, deps), generation, deps)
            else:
                _mail_once(record, generation, deps)
        except PreconditionFailed:
            log.info("order changed under us; re-reading", extra={"order_id": order_id})
    raise TransientError(f"order {order_id} did not settle; retrying later")


def note_stats(record: OrderRecord, deps: WorkerDeps) -> None:
    """Write the order's stats markers (common/stats): at its creation and at every end.

    Create-only and repeated at each end, so a crash between the record's write and
    its markers is repaired by the redelivery, and a redelivery counts nothing twice.
    """
    try:
        note_order(deps.orders.storage, deps.orders.bucket, record)
    except TransientStorageError as exc:
        raise TransientError(f"writing the stats of {record.order_id} failed: {exc}") from exc


def _new_record(message: OrderPaid, deps: WorkerDeps) -> OrderRecord:
    product_ids = message.product_ids or _line_items(message, deps)
    products = deps.catalog.find(product_ids)
    if not products:
        raise PermanentError(f"no catalog product for ids {', '.join(product_ids) or '(none)'}")
    buyer = message.buyer
    if buyer is None and message.customer_id:
        buyer = _lookup(message.customer_id, deps)
    specs = [(p, f) for p in products for f in p.files]
    files = [
        DeliveredFile(
            source=spec.source,
            object_name=f"copies/{message.order_id}/{n:02d}-{spec.filename}",
            filename=spec.filename,
            stamped=spec.stamp,
            item_id=_item_of(product.ids, message),
        )
        for n, (product, spec) in enumerate(specs)
    ]
    return OrderRecord.received(
        at=now_iso(deps.clock),
        order_id=message.order_id,
        title=" + ".join(p.title for p in products),
        buyer_name=buyer.name if buyer else "",  # none yet: a fulfilment webhook without email
        buyer_email=buyer.email if buyer else "",
        code=_claim_code(message.order_id, deps),
        files=tuple(files),
        products=tuple(p.slug for p in products),
        paddle_ids=message.paddle_ids,
        merchant=message.merchant,
        product_ids=product_ids,
        item_ids=tuple(item.item_id for item in message.items),
        source=message.source,
        customer_id=message.customer_id or "",
        note=message.note,
        language=message.language,
        imprint=deps.catalog.imprint_of([p.slug for p in products]),
    )


def _line_items(message: OrderPaid, deps: WorkerDeps) -> tuple[str, ...]:
    """What a sale that names no products bought (Stripe's: its Checkout Session's lines)."""
    try:
        return deps.line_items.lookup(message.merchant, message.lookup_ref)
    except LineItemsNotFound as exc:
        raise PermanentError(f"line items of {message.order_id}: {exc}") from exc
    except LineItemsUnavailable as exc:
        raise TransientError(f"line items of {message.order_id}: {exc}") from exc


def _index_payment(message: OrderPaid, deps: WorkerDeps) -> None:
    """Name the order under its payment (create-only), so refunds naming the payment find it."""
    if message.payment_ref:  # one payment, two sessions: never seen
        name = payment_index_name(message.merchant, message.payment_ref)
        _index_once(name, message.order_id, deps, payment_ref=message.payment_ref)


def _index_checkout(message: OrderPaid, deps: WorkerDeps) -> None:
    """Name the order under its checkout reference (create-only), for /thanks?ref=…."""
    if message.checkout_ref:  # a shop page that reused a reference: the first order keeps it
        name = checkout_index_name(message.checkout_ref)
        _index_once(name, message.order_id, deps, checkout_ref=message.checkout_ref)


def _index_once(name: str, order_id: str, deps: WorkerDeps, **ref: str) -> None:
    """Write an index object naming the order unless it exists; warn if it names another."""
    order = order_id.encode()
    try:
        deps.orders.write(name, order, if_generation_match=0)
    except PreconditionFailed:
        if deps.orders.read(name).data != order:
            log.warning(
                "reference already names another order", extra={"order_id": order_id, **ref}
            )
    except TransientStorageError as exc:
        raise TransientError(f"writing {name} failed: {exc}") from exc


def _item_of(product_ids: tuple[str, ...], message: OrderPaid) -> str:
    """The merchant's line item that bought this product ("" where the sale has no items)."""
    return next((i.item_id for i in message.items if set(i.product_ids) & set(product_ids)), "")


def _claim_code(order_id: str, deps: WorkerDeps) -> str:
    """Reserve a stamp code whose serial no other order holds (create-only index)."""
    secret = deps.settings.stamp_secret
    for attempt in range(SERIAL_ATTEMPTS):  # trace tries as many (common/codes issued_for)
        serial = serial_for(secret, order_id, attempt)
        try:
            deps.orders.write(code_name(serial), order_id.encode(), if_generation_match=0)
        except PreconditionFailed:
            if deps.orders.read(code_name(serial)).data != order_id.encode():
                continue  # another order's serial: 35 bits do collide, rarely
        return code_for_serial(secret, serial)
    raise TransientError(f"no free stamp code for order {order_id}")


def _lookup(customer_id: str, deps: WorkerDeps) -> Buyer:
    try:
        return deps.customers.lookup(customer_id)
    except CustomerNotFound as exc:
        raise PermanentError(f"Paddle has no customer {customer_id}: {exc}") from exc
    except LookupUnavailable as exc:
        raise TransientError(f"customer lookup failed: {exc}") from exc


def _stamp_all(record: OrderRecord, deps: WorkerDeps) -> OrderRecord:
    """Write the indexes and every copy; idempotent, so a retry may redo it."""
    try:
        deps.orders.write_indexes(record)
    except TransientStorageError as exc:
        raise TransientError(f"writing the indexes of {record.order_id} failed: {exc}") from exc
    files = stamp_copies(record, deps)
    return record.stamped(files, at=now_iso(deps.clock))


def _mail_once(record: OrderRecord, generation: int, deps: WorkerDeps) -> None:
    """Claim the mail with a precondition, send it, record it; PreconditionFailed if beaten."""
    now, claim_seconds = deps.clock(), deps.settings.mail_claim_seconds
    if record.status == Status.MAILING:
        if now - record.mail_claimed_at < claim_seconds:
            raise TransientError(f"order {record.order_id} is being mailed by another delivery")
        earlier = deps.mailer.sent(_claim_key(record))
        if earlier:  # its sender died before recording it
            mailed = record.mailed(provider_id=earlier, at=now_iso(deps.clock))
            _record_mailed(mailed, generation, deps)
            log.info(
                "order mailed by a delivery that died before recording it",
                extra={"event": "order_mailed", "order_id": record.order_id, "mail_id": earlier},
            )
            return
    try:
        claimed = record.mail_claimed(now=now, at=now_iso(deps.clock))
    except InvalidTransition as exc:
        raise PermanentError(str(exc)) from exc
    generation = deps.orders.save(claimed, generation)
    try:
        mail_id = mail_links(claimed, deps, resend=False, key=_claim_key(claimed))
    except MailOutcomeUnknown:
        raise  # keep the claim: a second mail now could be a duplicate
    except WorkerError:
        _release_claim(claimed, generation, deps)
        raise
    _record_mailed(claimed.mailed(provider_id=mail_id, at=now_iso(deps.clock)), generation, deps)
    log.info(
        "order mailed",
        extra={"event": "order_mailed", "order_id": record.order_id, "mail_id": mail_id},
    )


def _claim_key(record: OrderRecord) -> str:
    """The key of the delivery mail a claim sends: one claim, one mail."""
    return f"delivery/{record.order_id}/{record.mail_claimed_at!r}"


def _record_mailed(mailed: OrderRecord, generation: int, deps: WorkerDeps) -> None:
    """Record a sent mail, even if the write failed on a blip.

    Losing this write would let the claim go stale and the mail go out again, so
    it is retried on the fresh generation while the record still holds our claim.
    """
    for _ in range(_MAX_STEPS):
        try:
            deps.orders.save(mailed, generation)
            return
        except (PreconditionFailed, TransientStorageError):
            current, generation = deps.orders.load(mailed.order_id)
            if current is None or current.status != Status.MAILING:
                return  # a refund moved on; it stands
            if current.mail_claimed_at != mailed.mail_claimed_at:
                return  # another delivery took the claim over; theirs stands
    raise TransientError(f"order {mailed.order_id} was mailed but could not be recorded")


def _release_claim(claimed: OrderRecord, generation: int, deps: WorkerDeps) -> None:
    """The provider refused the mail, so nothing was sent: let the next delivery try at once."""
    released = claimed.claim_released(at=now_iso(deps.clock))
    with contextlib.suppress(PreconditionFailed):  # someone moved on (a refund): keep theirs
        deps.orders.save(released, generation)
