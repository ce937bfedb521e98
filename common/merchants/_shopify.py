"""Shopify webhooks of a custom app: signature check and event parsing, both pure.

Signature (shopify.dev/docs/apps/build/webhooks/subscribe/https, "Verify webhooks";
Shopify/shopify-app-js packages/apps/shopify-api/lib/utils/hmac-validator.ts,
`validateHmacFromRequestFactory`): `X-Shopify-Hmac-Sha256` is the base64 of
HMAC-SHA256 over the raw body, keyed with the app's client secret. We decode
the header strictly (exactly one base64 SHA-256 digest, else 401 with a reason),
compare in constant time against every secret of a rotation, and check the
bytes as received, never re-serialised JSON: Shopify's ids pass 2**53
(`820982911946154508` in the docs' order sample), so a JavaScript re-encoding
both changes the bytes and rounds the ids.

Headers (shopify.dev/docs/apps/build/webhooks/delivery-structure; names in any
case, HTTP/2 lowercases them): `X-Shopify-Topic`, `X-Shopify-Webhook-Id` ("a
unique composite key per delivery. Use to identify and deduplicate individual
deliveries"), `X-Shopify-Shop-Domain`, `X-Shopify-API-Version`,
`X-Shopify-Triggered-At`, `X-Shopify-Event-Id` (shared by every delivery of one
merchant action) and, optionally, `X-Shopify-Name`. shopify-app-js
lib/webhooks/validate.ts refuses a delivery without topic, shop domain, API
version or webhook id; we refuse one without the two we read (401), and the
webhook id is our event id. Only the body is
signed: nothing dates a delivery, and Shopify retries with the original
payload and `X-Shopify-Triggered-At` for up to 4 hours
(shopify.dev/changelog/updates-to-webhook-retry-mechanism), so a time window
would refuse Shopify's own retries and stop no replay. A replayed sale or
refund is harmless: the worker is idempotent per order. A topic header swapped
onto another signed body finds none of the fields its topic needs (400).
Shopify's newer "Events" deliveries (developer preview) sign in
`Shopify-Hmac-Sha256`, without the X- (shopify.dev/docs/apps/build/events/
verify-deliveries); this module reads webhook subscriptions only.

Events (shopify.dev/docs/api/webhooks, REST Order and Refund resources):
`orders/paid` is a sale. Each line item with a `variant_id` is a PaidItem
(`shopify:<variant_id>`), so a refund can take back its files only; custom
items (no variant) are skipped, and an order of custom items only is Ignored.
The buyer is `email` or `customer.email`, named by `customer.first_name` and
`last_name` or `billing_address.name`; `customer_locale`, the language the buyer
shopped in ("en", or since API 2021-10 "fr-FR" where the store has markets:
shopify.dev/changelog/locale-fields-are-now-appended-with-language-and-country-codes),
is the order's language. `refunds/create` revokes its
`refund_line_items[].line_item_id`; a refund of shipping or of an amount only
names no line item and is Ignored. Every other topic is Ignored. Needs no
permissions; the secrets come from settings.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from common.merchants._events import Event, EventError, Ignored, SignatureError
from common.merchants._hmac import SHA256_BASE64, check_signatures, hmac_sha256
from common.merchants._json_fields import id_field, load_object
from common.merchants._port import WebhookRequest
from common.messages import Buyer, ContractError, ItemsRefunded, OrderPaid, PaidItem
from common.settings import Settings

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"

_TOPIC = re.compile(r"[a-z0-9_]+(?:[/.][a-z0-9_]+)+")  # orders/paid, customer.tags_added
_DELIVERY_ID = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no blanks


@dataclass(frozen=True)
class Shopify:
    """A Shopify custom app's webhooks, at /webhooks/shopify (JSON, `X-Shopify-Hmac-Sha256`)."""

    secrets: tuple[str, ...]
    name: ClassVar[str] = "shopify"
    prefix: ClassVar[str] = "shopify"
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    @classmethod
    def from_settings(cls, settings: Settings) -> Shopify | None:
        """On when SHOPIFY_WEBHOOK_SECRET is set."""
        if not settings.shopify_webhook_secrets:
            return None
        return cls(settings.shopify_webhook_secrets)

    def verify(self, request: WebhookRequest) -> None:
        verify_shopify(request.header(HMAC_HEADER), request.body, self.secrets)
        _delivery(request)

    def parse(self, request: WebhookRequest) -> Event:
        topic, webhook_id = _delivery(request)
        return parse_shopify_event(
            topic, webhook_id, request.body, triggered_at=request.header(TRIGGERED_AT_HEADER)
        )

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        return None  # Shopify shows the buyer nothing of our answer


def sign_shopify(body: bytes, secret: str) -> str:
    """Return the X-Shopify-Hmac-Sha256 value Shopify would send for this body."""
    return base64.b64encode(hmac_sha256(secret, body)).decode("ascii")


def verify_shopify(header: str | None, body: bytes, secrets: Sequence[str]) -> None:
    """Raise SignatureError unless `header` proves that a holder of a secret signed `body`."""
    if not header:
        raise SignatureError(f"missing {HMAC_HEADER} header")
    if not SHA256_BASE64.fullmatch(header):
        raise SignatureError(f"{HMAC_HEADER} is not the base64 of a SHA-256 digest")
    signature = base64.b64decode(header, validate=True)
    if base64.b64encode(signature).decode("ascii") != header:  # stray bits in the last digit
        raise SignatureError(f"{HMAC_HEADER} is not canonical base64")
    check_signatures([signature], secrets, body)


def _delivery(request: WebhookRequest) -> tuple[str, str]:
    """The topic and the delivery id, which every Shopify delivery carries; else 401."""
    topic = request.header(TOPIC_HEADER)
    if not topic:
        raise SignatureError(f"missing {TOPIC_HEADER} header")
    if not _TOPIC.fullmatch(topic) or len(topic) > 100:
        raise SignatureError(f"{TOPIC_HEADER} is not a webhook topic")
    webhook_id = request.header(WEBHOOK_ID_HEADER)
    if not webhook_id:
        raise SignatureError(f"missing {WEBHOOK_ID_HEADER} header")
    if not _DELIVERY_ID.fullmatch(webhook_id):
        raise SignatureError(f"{WEBHOOK_ID_HEADER} is not a delivery id")
    return topic, webhook_id


def parse_shopify_event(
    topic: str, webhook_id: str, body: bytes, *, triggered_at: str | None = None
) -> Event:
    """Read a verified delivery of `topic` as one of our messages, or Ignored."""
    if topic not in ("orders/paid", "refunds/create"):
        return Ignored(event_type=topic, event_id=webhook_id)
    payload = load_object(body)
    when = _occurred_at(payload, triggered_at)
    try:
        if topic == "orders/paid":
            return _paid(payload, webhook_id, when)
        return _refunded(payload, webhook_id, when)
    except ContractError as exc:  # signed, but holding what cannot travel (an unsafe id)
        raise EventError(str(exc)) from None


def _paid(order: dict[str, Any], event_id: str, when: str) -> Event:
    order_id = f"shopify-{id_field(order, 'id', 'id')}"
    lines = order.get("line_items")
    if not isinstance(lines, list):
        raise EventError("line_items is missing or not a list")
    items: list[PaidItem] = []
    for n, line in enumerate(lines):
        if not isinstance(line, dict):
            raise EventError(f"line_items[{n}] is not an object")
        if line.get("variant_id") is None:
            continue  # a custom item: nothing in the catalog can name it
        variant = id_field(line, "variant_id", f"line_items[{n}].variant_id")
        items.append(PaidItem(id_field(line, "id", f"line_items[{n}].id"), (f"shopify:{variant}",)))
    if not items:
        note = f"order {order_id} has no line item with a variant_id (custom items only)"
        return Ignored(event_type="orders/paid", event_id=event_id, note=note)
    product_ids = dict.fromkeys(i for item in items for i in item.product_ids)  # ordered, once
    return OrderPaid(
        order_id=order_id,
        product_ids=tuple(product_ids),
        event_id=event_id,
        occurred_at=when,
        merchant="shopify",
        buyer=_buyer(order),
        items=tuple(items),
        language=_text(order.get("customer_locale")),
    )


def _buyer(order: dict[str, Any]) -> Buyer:
    """The buyer's address and name; the contract normalises both (EventError if unusable)."""
    customer = order.get("customer")
    customer = customer if isinstance(customer, dict) else {}
    email = _text(order.get("email")) or _text(customer.get("email"))
    if not email:
        raise EventError("the order names no buyer: email and customer.email are empty")
    first, last = _text(customer.get("first_name")), _text(customer.get("last_name"))
    name = " ".join(part for part in (first, last) if part)
    if not name:
        billing = order.get("billing_address")
        name = _text(billing.get("name")) if isinstance(billing, dict) else ""
    return Buyer(name=name, email=email)


def _refunded(refund: dict[str, Any], event_id: str, when: str) -> Event:
    order_id = f"shopify-{id_field(refund, 'order_id', 'order_id')}"
    lines = refund.get("refund_line_items")
    if not isinstance(lines, list):
        raise EventError("refund_line_items is missing or not a list")
    item_ids: dict[str, None] = {}
    for n, line in enumerate(lines):
        if not isinstance(line, dict):
            raise EventError(f"refund_line_items[{n}] is not an object")
        refunded = line.get("line_item")
        if isinstance(refunded, dict) and refunded.get("variant_id", 0) is None:
            continue  # a custom item, which delivered nothing
        item_ids[id_field(line, "line_item_id", f"refund_line_items[{n}].line_item_id")] = None
    if not item_ids:
        note = f"refund of {order_id} names no book (shipping or an amount only): copies stay"
        return Ignored(event_type="refunds/create", event_id=event_id, note=note)
    return ItemsRefunded(order_id, tuple(item_ids), event_id, when, reason="refund")


def _occurred_at(payload: dict[str, Any], triggered_at: str | None) -> str:
    """When it happened: the signed processed_at or created_at, else the delivery's header."""
    for key in ("processed_at", "created_at"):
        if value := _text(payload.get(key)):
            return value
    if triggered_at:
        return triggered_at
    raise EventError("neither processed_at nor created_at is a time")


def _text(value: object) -> str:
    """The value as sent when it is non-blank text, else "" (the contract cleans it)."""
    return value if isinstance(value, str) and value.strip() else ""
