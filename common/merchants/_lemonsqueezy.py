"""Lemon Squeezy webhooks: signature check and event parsing, both pure.

Lemon Squeezy posts a JSON:API resource (`{"meta": {...}, "data": {"type",
"id", "attributes"}}`) as `application/json` with `X-Event-Name` (the event)
and `X-Signature`: the hex HMAC-SHA256 of the raw body under the webhook's
signing secret (docs.lemonsqueezy.com/help/webhooks/webhook-requests and
/help/webhooks/signing-requests; lmsqueezy/laravel
src/Http/Middleware/VerifyWebhookSignature.php: `hash_hmac('sha256', $payload,
$secret)` against the `x-signature` header). We verify the bytes as received,
in constant time, against every secret of a rotation; a header that is not 64
hex digits is refused before any HMAC is computed. The signature has no
timestamp, so a captured request verifies forever: a replay can only repeat
what already happened (the worker is idempotent per order id).

`X-Event-Name` is not signed; `meta.event_name` is. They must agree: a request
whose header is missing or names another event is refused as signed but
invalid (400), since something between Lemon Squeezy and us changed it.

Events (docs.lemonsqueezy.com/help/webhooks/event-types; the Order object at
docs.lemonsqueezy.com/api/orders): `order_created` with `status` `paid` is a
sale of `first_order_item.variant_id` (the webhook carries the first item
only; variant, not product, ids go in the catalog, because both are plain
integers and would collide under one prefix) to `user_name` <`user_email`>. The order
object holds no language for the buyer (docs.lemonsqueezy.com/api/orders lists none), so
its orders have none.
Any other status (`pending`, `failed`; lmsqueezy/laravel
src/Webhooks/Enums/OrderStatus.php lists `refunded`, `partial_refund`,
`fraudulent` too) is ignored. `order_refunded` "occurs when a full or partial
refund is made": only a full one revokes. The money decides: `refunded_amount`
>= `total` (docs.lemonsqueezy.com/api/orders/issue-refund shows a partial
refund leaving `status: paid`, `refunded: false`, `refunded_amount` below
`total`); where the amounts are missing, `refunded: true` or status `refunded`.
A partial refund is logged and the copies stay. Lemon Squeezy sends no delivery
id, so the event id is `<event name>:<identifier>`, the order's UUID, which
every retry and every resend from the dashboard repeats. `meta.test_mode` is
logged; with allow_test false a test-mode sale is ignored at WARNING.
`meta.custom_data.exlibris_ref` is the checkout reference (`checkout_ref`, the key to
/thanks): a checkout link carrying `checkout[custom][exlibris_ref]=…` (or the API's
`checkout_data.custom`) returns it in the order's webhooks inside `meta.custom_data`
(docs.lemonsqueezy.com/help/checkout/passing-custom-data); one the contract cannot use is
dropped, never a refusal. Needs no permissions; the secrets come from settings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from common.merchants._events import Event, EventError, Ignored, SignatureError
from common.merchants._hmac import SHA256_HEX, check_signatures, hmac_sha256
from common.merchants._json_fields import (
    custom_ref,
    id_field,
    load_object,
    object_field,
    text_field,
)
from common.merchants._port import WebhookRequest
from common.messages import Buyer, ContractError, OrderPaid, OrderRevoked
from common.settings import Settings

SIGNATURE_HEADER = "X-Signature"
EVENT_HEADER = "X-Event-Name"
MERCHANT = "lemonsqueezy"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LemonSqueezy:
    """Lemon Squeezy's webhooks, at /webhooks/lemonsqueezy (JSON:API, `X-Signature`)."""

    secrets: tuple[str, ...]
    allow_test: bool = True
    name: ClassVar[str] = "lemonsqueezy"
    prefix: ClassVar[str] = MERCHANT
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    @classmethod
    def from_settings(cls, settings: Settings) -> LemonSqueezy | None:
        """On when LEMONSQUEEZY_WEBHOOK_SECRET is set."""
        if not settings.lemonsqueezy_webhook_secrets:
            return None
        return cls(settings.lemonsqueezy_webhook_secrets, settings.lemonsqueezy_allow_test)

    def verify(self, request: WebhookRequest) -> None:
        verify_lemonsqueezy(request.header(SIGNATURE_HEADER), request.body, self.secrets)

    def parse(self, request: WebhookRequest) -> Event:
        return parse_lemonsqueezy_event(
            request.body, request.header(EVENT_HEADER), allow_test=self.allow_test
        )

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        return None  # Lemon Squeezy shows the buyer nothing of our answer


def sign_lemonsqueezy(body: bytes, secret: str) -> str:
    """Return the X-Signature Lemon Squeezy would send for this body."""
    return hmac_sha256(secret, body).hex()


def verify_lemonsqueezy(header: str | None, body: bytes, secrets: Sequence[str]) -> None:
    """Raise SignatureError unless `header` is the HMAC of `body` under one of `secrets`."""
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if not SHA256_HEX.fullmatch(header):
        raise SignatureError(f"{SIGNATURE_HEADER} is not a SHA-256 hex digest")
    check_signatures([bytes.fromhex(header)], secrets, body)


def parse_lemonsqueezy_event(
    body: bytes, event_header: str | None, *, allow_test: bool = True
) -> Event:
    """Read a verified webhook body as one of our messages, or Ignored."""
    payload = load_object(body)
    try:
        return _event(payload, event_header, allow_test)
    except ContractError as exc:  # signed, but holding what cannot travel (a lone surrogate)
        raise EventError(str(exc)) from None


def _event(payload: dict[str, Any], event_header: str | None, allow_test: bool) -> Event:
    meta = object_field(payload, "meta", "meta")
    event_name = text_field(meta, "event_name", "meta.event_name")
    if event_header is None:
        raise EventError(f"missing {EVENT_HEADER} header")
    if event_header != event_name:
        raise EventError(f"{EVENT_HEADER} does not match meta.event_name")
    test_mode = meta.get("test_mode", False)
    if not isinstance(test_mode, bool):
        raise EventError("meta.test_mode is not a boolean")
    data = payload.get("data")
    if event_name not in ("order_created", "order_refunded"):
        their_id = data.get("id") if isinstance(data, dict) else None
        suffix = f":{their_id}" if isinstance(their_id, str | int) else ""
        return Ignored(event_type=event_name, event_id=f"{event_name}{suffix}")
    data = object_field(payload, "data", "data")
    if data.get("type") != "orders":
        raise EventError("data.type is not orders")
    attributes = object_field(data, "attributes", "data.attributes")
    order_id = f"{MERCHANT}-{id_field(data, 'id', 'data.id')}"
    event_id = f"{event_name}:{text_field(attributes, 'identifier', 'data.attributes.identifier')}"
    log.info(
        "lemon squeezy order event",
        extra={"event_type": event_name, "order_id": order_id, "test_mode": test_mode},
    )
    if event_name == "order_created":
        ref = custom_ref(meta.get("custom_data"))
        return _paid(attributes, order_id, event_id, test_mode and not allow_test, ref)
    return _refunded(attributes, order_id, event_id)


def _paid(
    attributes: dict[str, Any], order_id: str, event_id: str, refused: bool, ref: str
) -> Event:
    status = text_field(attributes, "status", "data.attributes.status")
    if status != "paid":
        note = f"order {order_id} is {status}, not paid: nothing to deliver"
        return Ignored(event_type="order_created", event_id=event_id, note=note)
    if refused:
        log.warning(
            "test-mode sale ignored: LEMONSQUEEZY_ALLOW_TEST is false",
            extra={"order_id": order_id, "event_id": event_id},
        )
        note = f"test-mode order {order_id} ignored (LEMONSQUEEZY_ALLOW_TEST=false)"
        return Ignored(event_type="order_created", event_id=event_id, note=note)
    item = object_field(attributes, "first_order_item", "data.attributes.first_order_item")
    variant = id_field(item, "variant_id", "data.attributes.first_order_item.variant_id")
    name = attributes.get("user_name")
    return OrderPaid(
        order_id=order_id,
        product_ids=(f"{MERCHANT}:{variant}",),
        event_id=event_id,
        occurred_at=text_field(attributes, "created_at", "data.attributes.created_at"),
        merchant=MERCHANT,
        buyer=Buyer(
            name="" if name is None else name,  # the contract refuses what is not text
            email=text_field(attributes, "user_email", "data.attributes.user_email"),
        ),
        checkout_ref=ref,
    )


def _refunded(attributes: dict[str, Any], order_id: str, event_id: str) -> Event:
    if not _refunded_in_full(attributes):
        amount, total = attributes.get("refunded_amount"), attributes.get("total")
        note = f"partial refund of {order_id} ({amount} of {total}): the copies stay valid"
        return Ignored(event_type="order_refunded", event_id=event_id, note=note)
    at = attributes.get("refunded_at") or attributes.get("updated_at")
    if not isinstance(at, str) or not at:
        raise EventError("data.attributes.refunded_at is missing or not a non-empty string")
    return OrderRevoked(order_id, event_id, at, reason="refund", revoked_by=MERCHANT)


def _refunded_in_full(attributes: dict[str, Any]) -> bool:
    """Whether all the money went back: by the amounts, else by the order's flags."""
    amount, total = _count(attributes.get("refunded_amount")), _count(attributes.get("total"))
    if amount is not None and total:
        return amount >= total
    return attributes.get("refunded") is True or attributes.get("status") == "refunded"


def _count(value: object) -> int | None:
    """A whole number of cents or an id as JSON sends it; None for anything else (bools too)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
