"""Webhook routes: verify, validate, publish, answer fast — one route for every merchant.

`POST /webhooks/<merchant>` finds the merchant in the registry the settings turned
on (common/merchants), checks the content type, hands it the raw request to verify
and parse, and publishes what it read. It never stamps or mails. Answers: 404 for
a merchant that is off, 415 wrong type, 401 bad signature (before the body is
read as anything), 400 signed but invalid, 413 too large (MAX_CONTENT_LENGTH),
200 accepted or ignored, 503 when publishing failed so that the merchant retries.

SendGrid is not a merchant: its Event Webhook (bounces, drops, deliveries of our
mails) has its own route, `POST /webhooks/sendgrid`, which Flask matches before
`/webhooks/<name>`. 404 while SENDGRID_EVENT_PUBLIC_KEY is unset, 401 unsigned,
403 altered, stale or signed by another key (common/mail_events), 400 signed but
not an array of events, 200 published (in chunks of MAIL_EVENTS_PER_MESSAGE) or
nothing of ours in it, 503 when publishing failed so that SendGrid retries.

Where a merchant shows our answer to the buyer (Paddle Classic's fulfilment
webhook), the 200 is the merchant's plain sentence; alerts and errors stay JSON.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, jsonify, request

from common.mail_events import BadEvents, SignatureRefused
from common.merchants import Event, EventError, Ignored, Merchant, SignatureError, WebhookRequest
from common.messages import (
    MailEventsReported,
    Message,
    OrderPaid,
    PaymentRestored,
    PaymentRevoked,
    encode,
    now_iso,
)
from common.publish import PublishError
from common.storage import StorageError
from common.web import json_error
from service.deps import ServiceDeps, current_deps

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)
MAIL_EVENTS_PER_MESSAGE = 500  # a worker writes one order's record per event's order


@bp.post("/webhooks/sendgrid")
def sendgrid_events() -> tuple[Response, int]:
    deps = current_deps()
    if deps.mail_events is None:
        return json_error(404, "SendGrid's Event Webhook is not configured here")
    body = request.get_data(cache=False)
    try:
        deps.mail_events.verify(body, dict(request.headers.items()), now=deps.clock())
        batch = deps.mail_events.read(body)
    except SignatureRefused as exc:
        return _rejected(exc.status, exc.reason, "sendgrid")
    except BadEvents as exc:
        return _rejected(400, str(exc), "sendgrid")
    counts = {"events": len(batch.events), "skipped": batch.skipped, "malformed": batch.malformed}
    if batch.malformed:
        log.warning("mail events skipped as malformed", extra=counts)
    chunks = range(0, len(batch.events), MAIL_EVENTS_PER_MESSAGE)
    try:
        for start in chunks:
            chunk = batch.events[start : start + MAIL_EVENTS_PER_MESSAGE]
            deps.publisher.publish(MailEventsReported(events=chunk, occurred_at=now_iso()))
    except PublishError as exc:
        log.error("publish failed", extra={**counts, "error": str(exc)})
        return json_error(503, "temporarily unable to accept the events; please retry")
    log.info("mail events published", extra=counts)
    return jsonify(status="accepted" if batch.events else "ignored", **counts), 200


@bp.post("/webhooks/<name>")
def webhook(name: str) -> tuple[Response, int]:
    deps = current_deps()
    merchant = deps.merchants.get(name)
    if merchant is None:
        return json_error(404, f"no merchant {name[:40]!r} is configured here")
    if request.mimetype not in merchant.content_types:
        return json_error(415, f"expected {' or '.join(merchant.content_types)}")
    form = request.form.to_dict(flat=True) if request.mimetype.endswith("urlencoded") else {}
    body = request.get_data(cache=False)
    webhook = WebhookRequest.of(body, request.headers.items(), form=form, now=deps.clock())
    try:
        merchant.verify(webhook)
        event = merchant.parse(webhook)
    except SignatureError as exc:
        return _rejected(401, exc.reason, merchant.name)
    except EventError as exc:
        return _rejected(400, str(exc), merchant.name)
    answer = _accept(deps, event)
    reply = merchant.reply(webhook, event, _seller(deps, event)) if answer[1] == 200 else None
    return (_for_the_buyer(merchant, event, reply), 200) if reply is not None else answer


def _seller(deps: ServiceDeps, event: Event) -> str:
    """Whose name the buyer is thanked in: the imprint the products are sold under, or the shop."""
    if isinstance(event, OrderPaid):
        catalog = deps.catalog
        products = [p.slug for p in catalog.find(event.product_ids)]
        imprint = catalog.imprint(catalog.imprint_of(products))
        if imprint is not None:
            return imprint.shop_name
    return deps.settings.shop_name


def _for_the_buyer(merchant: Merchant, event: Event, reply: str) -> Response:
    """The sentence the merchant shows the buyer after a sale (no JSON, no full address)."""
    if isinstance(event, OrderPaid) and event.buyer is None:
        log.warning(
            "fulfilment webhook without the buyer's email: tick the email and name fields in "
            "the product's webhook editor (Paddle > Catalog > product > fulfilment webhook); "
            "the order waits for its payment_succeeded alert, which names the buyer",
            extra={"order_id": event.order_id, "source": merchant.name},
        )
    return Response(reply, mimetype="text/plain")


def _rejected(status: int, reason: str, source: str) -> tuple[Response, int]:
    # event webhook_rejected: terraform/monitoring.tf counts it per store and alerts, since a
    # store gives up on a webhook that keeps failing (Shopify deletes the subscription).
    extra = {"event": "webhook_rejected", "reason": reason, "status": status, "source": source}
    log.warning("webhook rejected", extra=extra)
    return json_error(status, reason)


def _accept(deps: ServiceDeps, event: Event) -> tuple[Response, int]:
    if isinstance(event, Ignored):
        ids = {"event_type": event.event_type, "event_id": event.event_id}
        log.info(event.note or "event ignored", extra=ids)
        return jsonify(status="ignored"), 200
    # A sale that names no products yet (Stripe's: the worker lists its line items) cannot
    # be checked against the catalog here; the worker checks it once it knows them.
    if (
        isinstance(event, OrderPaid)
        and event.product_ids
        and not deps.catalog.find(event.product_ids)
    ):
        return _unknown_product(deps, event)
    ids = _ids_of(event)
    try:
        message_id = deps.publisher.publish(event)
    except PublishError as exc:
        log.error("publish failed", extra={**ids, "error": str(exc)})
        return json_error(503, "temporarily unable to accept the event; please retry")
    log.info("event published", extra={**ids, "type": event.TYPE, "message_id": message_id})
    return jsonify(status="accepted"), 200


def _ids_of(event: Message) -> dict[str, str]:
    """What names the event's order in the log: the order id, or the payment it refunds."""
    if isinstance(event, PaymentRevoked | PaymentRestored):
        return {"payment_ref": event.payment_ref, "merchant": event.merchant}
    return {"order_id": str(getattr(event, "order_id", ""))}


def _unknown_product(deps: ServiceDeps, event: OrderPaid) -> tuple[Response, int]:
    """A retry cannot fix a catalog gap: answer 200 and keep the order for the author."""
    reason = f"no catalog product for ids {', '.join(event.product_ids)}"
    log.error(reason, extra={"order_id": event.order_id, "product_ids": event.product_ids})
    try:
        deps.dead_letters.record(
            "unknown-product", event.order_id, reason, {"message": json.loads(encode(event))}
        )
    except (OSError, StorageError) as exc:  # not kept: let the merchant retry rather than lose it
        log.error("dead letter not written", extra={"order_id": event.order_id, "error": str(exc)})
        return json_error(503, "temporarily unable to accept the event; please retry")
    return jsonify(status="unknown product", error=reason), 200
