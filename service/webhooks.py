"""Paddle webhook routes: verify, validate, publish, answer fast.

A route checks the content type, hands the raw bytes (Billing) or the posted
fields (Classic) to a pure verifier, parses the event and publishes it. It
never stamps or mails. Answers: 401 bad signature, 400 signed but invalid,
413 too large (MAX_CONTENT_LENGTH), 415 wrong type, 200 accepted or ignored,
503 when publishing failed so that Paddle retries.

Paddle Classic shows the answer to its product fulfilment webhook to the
buyer (on the checkout's success screen and in the receipt, as it would a
licence key), so that 200 is one plain-text sentence for the buyer, in the
shop's name, with the address masked; alerts and every error stay JSON.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, jsonify, request

from common.merchants import (
    Event,
    EventError,
    Ignored,
    SignatureError,
    is_fulfilment,
    parse_billing_event,
    parse_classic_event,
    verify_billing,
    verify_classic,
)
from common.messages import OrderPaid, encode
from common.publish import PublishError
from common.storage import StorageError
from common.web import json_error
from service.deps import ServiceDeps, current_deps

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/paddle")
def paddle_billing() -> tuple[Response, int]:
    deps = current_deps()
    if request.mimetype != "application/json":
        return json_error(415, "expected application/json")
    body = request.get_data(cache=False)
    try:
        verify_billing(
            request.headers.get("Paddle-Signature"),
            body,
            deps.settings.paddle_webhook_secrets,
            now=deps.clock(),
            tolerance=deps.settings.paddle_signature_tolerance,
        )
        event = parse_billing_event(body)
    except SignatureError as exc:
        return _rejected(401, exc.reason, "billing")
    except EventError as exc:
        return _rejected(400, str(exc), "billing")
    return _accept(deps, event)


@bp.post("/webhooks/paddle-classic")
def paddle_classic() -> tuple[Response, int]:
    deps = current_deps()
    if request.mimetype != "application/x-www-form-urlencoded":
        return json_error(415, "expected application/x-www-form-urlencoded")
    if deps.classic_key is None:
        return json_error(404, "Paddle Classic webhooks are not configured (PADDLE_PUBLIC_KEY)")
    fields = request.form.to_dict(flat=True)
    try:
        verify_classic(fields, deps.classic_key)
        event = parse_classic_event(fields)
    except SignatureError as exc:
        return _rejected(401, exc.reason, "classic")
    except EventError as exc:
        return _rejected(400, str(exc), "classic")
    answer = _accept(deps, event)
    if not is_fulfilment(fields) or answer[1] != 200 or not isinstance(event, OrderPaid):
        return answer
    return _for_the_buyer(deps.settings.shop_name, event), 200


def _for_the_buyer(shop: str, event: OrderPaid) -> Response:
    """The sentence Paddle shows the buyer after a fulfilment webhook (no JSON, no full address)."""
    if event.buyer is None:
        log.warning(
            "fulfilment webhook without the buyer's email: tick the email and name fields in "
            "the product's webhook editor (Paddle > Catalog > product > fulfilment webhook); "
            "the order waits for its payment_succeeded alert, which names the buyer",
            extra={"order_id": event.order_id},
        )
        where = "the address you gave at checkout"
    else:
        local, _, domain = event.buyer.email.rpartition("@")
        where = f"{local[:1]}…@{domain}"
    text = f"Thank you for your order from {shop}. Your personal copy is on its way to {where}."
    return Response(text, mimetype="text/plain")


def _rejected(status: int, reason: str, source: str) -> tuple[Response, int]:
    log.warning("webhook rejected", extra={"reason": reason, "status": status, "source": source})
    return json_error(status, reason)


def _accept(deps: ServiceDeps, event: Event) -> tuple[Response, int]:
    if isinstance(event, Ignored):
        ids = {"event_type": event.event_type, "event_id": event.event_id}
        log.info(event.note or "event ignored", extra=ids)
        return jsonify(status="ignored"), 200
    if isinstance(event, OrderPaid) and not deps.catalog.find(event.paddle_ids):
        return _unknown_product(deps, event)
    try:
        message_id = deps.publisher.publish(event)
    except PublishError as exc:
        log.error("publish failed", extra={"order_id": event.order_id, "error": str(exc)})
        return json_error(503, "temporarily unable to accept the event; please retry")
    log.info(
        "event published",
        extra={"order_id": event.order_id, "type": event.TYPE, "message_id": message_id},
    )
    return jsonify(status="accepted"), 200


def _unknown_product(deps: ServiceDeps, event: OrderPaid) -> tuple[Response, int]:
    """A retry cannot fix a catalog gap: answer 200 and keep the order for the author."""
    reason = f"no catalog product for paddle ids {', '.join(event.paddle_ids)}"
    log.error(reason, extra={"order_id": event.order_id, "paddle_ids": event.paddle_ids})
    try:
        deps.dead_letters.record(
            "unknown-product", event.order_id, reason, {"message": json.loads(encode(event))}
        )
    except (OSError, StorageError) as exc:  # not kept: let Paddle retry rather than lose it
        log.error("dead letter not written", extra={"order_id": event.order_id, "error": str(exc)})
        return json_error(503, "temporarily unable to accept the event; please retry")
    return jsonify(status="unknown product", error=reason), 200
