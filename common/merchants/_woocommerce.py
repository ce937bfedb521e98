"""WooCommerce's core webhooks: signature check and order parsing, both pure.

Delivery (woocommerce/woocommerce plugins/woocommerce/includes/class-wc-webhook.php,
`deliver`): a JSON POST whose body is `trim(wp_json_encode(payload))`, headers
X-WC-Webhook-Source, -Topic (`order.updated`), -Resource, -Event, -Signature, -ID
and -Delivery-ID. `generate_signature` is `base64_encode(hash_hmac('sha256', body,
wp_specialchars_decode(secret), true))`: the base64 HMAC-SHA256 of the raw body
under the webhook's secret (decoded from HTML entities, which is also how the
webhook's settings field shows it). Nothing else is signed: no timestamp (a
captured delivery replays for ever, harmless because the worker acts once per
order), and no header, so the topic only picks the resource and every decision
comes from the signed body. The delivery id is `wp_hash(webhook id . time())`,
the same for two deliveries of one webhook in one second, so event ids add the
order's id.

The ping (`deliver_ping`): when an active webhook is first saved, WooCommerce
POSTs the unsigned form body `webhook_id=<id>` (no X-WC headers; WordPress's
HTTP transports send it as application/x-www-form-urlencoded) and keeps the
webhook pending, with an error on screen, unless it gets exactly 200. It is
answered 200 and never published; a form post that is anything else is a 401.

Payload: the order as the REST API (woocommerce.github.io/woocommerce-rest-api-docs,
Orders, "Create an order" sample: order 727) would return it, built when the
queued delivery runs (wc-webhook-functions.php: Action Scheduler, at most one
pending delivery per webhook and order), so it carries the order's state then,
not at the event. `order.created` fires at checkout, usually `pending`;
`order.updated` fires on every save (woocommerce_update_order, _order_refunded).
A sale is status `processing` or `completed`: `line_items[].product_id` and a
non-zero `variation_id`, the buyer from `billing`. A WooCommerce order holds no language
for the buyer (a translation plugin may keep one in `meta_data`, under a key of its own),
so its orders have none. `refunded` revokes: WooCommerce
sets it only when a refund covers the whole order (wc-order-functions.php,
wc_create_refund); a partial refund only adds to `refunds` and leaves the
status. An order deleted before its delivery ran arrives as a REST error
(`{"code", "message", "data": {"status": 404}}`, RestApiUtil::get_endpoint_data):
ignored; any other error (the webhook's user may not read orders) is a 400, so
WooCommerce logs it. Needs no permissions; the secret comes from settings.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from common.merchants._events import Event, EventError, Ignored, SignatureError
from common.merchants._hmac import SHA256_BASE64, check_signatures, hmac_sha256
from common.merchants._json_fields import load_object, text_field
from common.merchants._port import WebhookRequest
from common.messages import Buyer, ContractError, OrderPaid, OrderRevoked, PaidItem
from common.settings import Settings

FORM = "application/x-www-form-urlencoded"
SALE_STATUSES = frozenset({"processing", "completed"})

_TOPIC = re.compile(r"[a-z_]{1,40}\.[A-Za-z0-9_./-]{1,200}")  # order.updated, action.wc_…
_DELIVERY_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")  # wp_hash(): 32 hex characters
_PING_ID = re.compile(r"[0-9]{1,20}")


@dataclass(frozen=True)
class WooCommerce:
    """WooCommerce's order webhooks, at /webhooks/woocommerce (JSON, plus the form ping)."""

    secrets: tuple[str, ...]
    name: ClassVar[str] = "woocommerce"
    prefix: ClassVar[str] = "woocommerce"
    content_types: ClassVar[tuple[str, ...]] = ("application/json", FORM)

    @classmethod
    def from_settings(cls, settings: Settings) -> WooCommerce | None:
        """On when WOOCOMMERCE_WEBHOOK_SECRET is set (one secret: it may hold commas)."""
        if not settings.woocommerce_webhook_secret:
            return None
        return cls((settings.woocommerce_webhook_secret,))

    def verify(self, request: WebhookRequest) -> None:
        if _is_form(request):
            ping_id(request)
            return
        verify_woocommerce(request, self.secrets)

    def parse(self, request: WebhookRequest) -> Event:
        if _is_form(request):
            webhook = ping_id(request)
            note = f"WooCommerce's delivery ping for webhook {webhook}"
            return Ignored(event_type="webhook.ping", event_id=f"ping-{webhook}", note=note)
        return parse_woocommerce_event(request)

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        return None  # WooCommerce shows nobody our answer


def sign_woocommerce(body: bytes, secret: str) -> str:
    """Return the X-WC-Webhook-Signature WooCommerce would send for this body."""
    return base64.b64encode(hmac_sha256(secret, body)).decode()


def verify_woocommerce(request: WebhookRequest, secrets: Sequence[str]) -> None:
    """Raise SignatureError unless the headers are WooCommerce's and the body is signed."""
    signature = _signature(request.header("X-WC-Webhook-Signature"))
    _topic(request)
    _delivery_id(request)
    check_signatures([signature], secrets, request.body)


def ping_id(request: WebhookRequest) -> str:
    """The webhook id of WooCommerce's ping; SignatureError for any other form post."""
    webhook = request.form.get("webhook_id", "")
    if set(request.form) != {"webhook_id"} or not _PING_ID.fullmatch(webhook):
        raise SignatureError("a form post must be WooCommerce's ping: webhook_id=<id>")
    return webhook


def parse_woocommerce_event(request: WebhookRequest) -> Event:
    """Read a verified delivery as OrderPaid, OrderRevoked or Ignored."""
    topic, delivery = _topic(request), _delivery_id(request)
    resource, _, event = topic.partition(".")
    if resource != "order" or event not in ("created", "updated"):
        return Ignored(event_type=topic, event_id=delivery)
    payload = load_object(request.body, encoding="utf-8")  # WordPress writes UTF-8 only
    try:
        return _order_event(payload, topic, delivery)
    except ContractError as exc:  # signed, but holding what cannot travel (a lone surrogate)
        raise EventError(str(exc)) from None


def _order_event(payload: dict[str, Any], topic: str, delivery: str) -> Event:
    if "id" not in payload and isinstance(payload.get("code"), str):
        return _rest_error(payload, topic, delivery)
    number = _positive(payload, "id", "id")
    event_id = f"{delivery}:{number}"
    status = text_field(payload, "status", "status")
    if status in SALE_STATUSES:
        return _paid(payload, number, event_id, topic)
    if status == "refunded":
        when = _gmt(payload, "date_modified_gmt", "date_created_gmt")
        order_id = f"woocommerce-{number}"
        return OrderRevoked(order_id, event_id, when, reason="refund", revoked_by="woocommerce")
    note = f"order {number} is {status[:40]!r}: nothing to deliver"
    return Ignored(event_type=topic, event_id=event_id, note=note)


def _rest_error(payload: dict[str, Any], topic: str, delivery: str) -> Ignored:
    """WooCommerce's REST error in place of the order: gone (404) is fine, else a 400."""
    data = payload.get("data")
    status = data.get("status") if isinstance(data, dict) else None
    code = str(payload["code"])[:100]
    if status != 404:
        raise EventError(f"WooCommerce sent its REST error {code} ({status}) instead of the order")
    note = f"the order was deleted before its delivery ran ({code})"
    return Ignored(event_type=topic, event_id=delivery, note=note)


def _paid(payload: dict[str, Any], number: int, event_id: str, topic: str) -> Event:
    items = _line_items(payload)
    ids = dict.fromkeys(i for item in items for i in item.product_ids)  # ordered, unique
    if not ids:
        note = f"order {number} has no products (only fees or deleted products)"
        return Ignored(event_type=topic, event_id=event_id, note=note)
    return OrderPaid(
        order_id=f"woocommerce-{number}",
        product_ids=tuple(ids),
        event_id=event_id,
        occurred_at=_gmt(payload, "date_paid_gmt", "date_modified_gmt", "date_created_gmt"),
        merchant="woocommerce",
        buyer=_buyer(payload),
        items=items,
    )


def _line_items(payload: dict[str, Any]) -> tuple[PaidItem, ...]:
    """Each line as (its id, its product and variation ids); lines naming no product skipped."""
    lines = payload.get("line_items")
    if not isinstance(lines, list):
        raise EventError("line_items is missing or not a list")
    items = []
    for n, line in enumerate(lines):
        where = f"line_items[{n}]"
        if not isinstance(line, dict):
            raise EventError(f"{where} is not an object")
        item_id = _positive(line, "id", f"{where}.id")
        ids = [_count(line, key, f"{where}.{key}") for key in ("product_id", "variation_id")]
        products = tuple(f"woocommerce:{i}" for i in ids if i)  # 0: no variation, or deleted
        if products:
            items.append(PaidItem(str(item_id), products))
    return tuple(items)


def _buyer(payload: dict[str, Any]) -> Buyer:
    billing = payload.get("billing")
    if not isinstance(billing, dict):
        raise EventError("billing is missing or not an object")
    email = billing.get("email")
    if not isinstance(email, str):
        raise EventError("billing.email is missing or not text")
    first, last = billing.get("first_name"), billing.get("last_name")
    name = " ".join(part for part in (first, last) if isinstance(part, str) and part)
    try:
        return Buyer(name=name, email=email)  # blank name: Buyer names the copy by the email
    except ContractError as exc:
        raise EventError(f"billing.email is not an email address ({exc})") from None


def _gmt(payload: dict[str, Any], *keys: str) -> str:
    """The first of these GMT dates ("2017-03-22T19:28:08", no zone) as RFC 3339."""
    for key in keys:
        raw = payload.get(key)
        if not isinstance(raw, str) or not raw:
            continue
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            raise EventError(f"{key} is not a date and time") from None
        if when.tzinfo is not None:  # the REST API writes none; an offset is honoured
            when = when.astimezone(UTC).replace(tzinfo=None)
        return when.isoformat(timespec="seconds") + "Z"
    raise EventError(f"none of {', '.join(keys)} is set")


def _is_form(request: WebhookRequest) -> bool:
    content_type = request.header("Content-Type") or ""
    return content_type.split(";")[0].strip().lower() == FORM


def _signature(header: str | None) -> bytes:
    if header is None:
        raise SignatureError("missing X-WC-Webhook-Signature header")
    if not SHA256_BASE64.fullmatch(header):
        raise SignatureError("X-WC-Webhook-Signature is not a base64 SHA-256 digest")
    return base64.b64decode(header, validate=True)


def _topic(request: WebhookRequest) -> str:
    topic = request.header("X-WC-Webhook-Topic")
    if topic is None:
        raise SignatureError("missing X-WC-Webhook-Topic header")
    if not _TOPIC.fullmatch(topic):
        raise SignatureError("X-WC-Webhook-Topic is not resource.event")
    return topic


def _delivery_id(request: WebhookRequest) -> str:
    delivery = request.header("X-WC-Webhook-Delivery-ID")
    if delivery is None:
        raise SignatureError("missing X-WC-Webhook-Delivery-ID header")
    if not _DELIVERY_ID.fullmatch(delivery):
        raise SignatureError("X-WC-Webhook-Delivery-ID is not a delivery id")
    return delivery


def _positive(parent: dict[str, Any], key: str, path: str) -> int:
    value = _count(parent, key, path)
    if value < 1:
        raise EventError(f"{path} is not a positive integer")
    return value


def _count(parent: dict[str, Any], key: str, path: str) -> int:
    """A whole number of zero or more; a missing variation_id counts as 0."""
    value = parent.get(key, 0 if key == "variation_id" else None)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EventError(f"{path} is missing or not a whole number")
    return value
