"""Shopify webhook deliveries for tests: payloads in Shopify's shape, signed for real.

The order follows the `orders/paid` sample Shopify's docs and its "Send test
notification" button deliver (shopify.dev/docs/api/webhooks?reference=toml,
REST Order resource): order id 820982911946154508 and line item ids past 2**53,
`email` "jon@doe.ca" while `customer.email` differs, `processed_at` null,
`billing_address.name`, two line items of one variant. The refund follows the
REST Refund resource's example (shopify.dev/docs/api/admin-rest/2025-01/resources/refund):
`order_id`, `refund_line_items[].line_item_id` with the refunded `line_item`.

What Shopify does that a handler must survive, imitated here:
- the body is compact JSON with every "/" escaped ("gid:\\/\\/shopify\\/Order\\/…" in the
  sample), so anything that re-serialises it breaks the signature (`shopify_body`);
- header names arrive in any case; HTTP/2 lowercases them
  (shopify.dev/docs/apps/build/webhooks/delivery-structure) (`lowercase=True`);
- a failed delivery is retried, up to 8 times over 4 hours, with the original payload
  and headers (shopify.dev/changelog/updates-to-webhook-retry-mechanism) (`retried`);
- one event reaches every subscription to its topic, each delivery with its own
  X-Shopify-Webhook-Id and the same X-Shopify-Event-Id
  (shopify.dev/docs/apps/build/webhooks/ignore-duplicates) (`for_another_subscription`);
- a sale whose delivery failed is retried for hours while later events go through, so
  its refund may arrive first (same changelog; test_shopify_pipeline plays it out).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common.merchants import sign_shopify

ORDER_ID = 820982911946154508
LINE_ITEM_IDS = (866550311766439020, 141249953214522974)
VARIANT_ID = 808950810
SHOP = "exlibris-dev.myshopify.com"
API_VERSION = "2026-04"
CREATED_AT = "2026-04-06T08:09:03-04:00"
TRIGGERED_AT = "2026-04-06T12:09:04.000000000Z"
_REFUND_IDS = itertools.count(509562969)


def orders_paid(
    order_id: int = ORDER_ID,
    *,
    variant_ids: Sequence[int | None] = (VARIANT_ID, VARIANT_ID),
    line_item_ids: Sequence[int] = LINE_ITEM_IDS,
    email: str | None = "jon@doe.ca",
    customer_email: str | None = "john@test.com",
    first_name: str | None = "John",
    last_name: str | None = "Smith",
    billing_name: str | None = "Bob Biller",
    processed_at: str | None = None,
    customer_locale: str | None = "en",
) -> dict[str, Any]:
    """An orders/paid payload: one line item per variant id (None: a custom item)."""
    lines = [
        {
            "id": line_id,
            "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
            "variant_id": variant,
            "product_id": None if variant is None else 632910392,
            "title": "Practical Python Projects" if variant else "Gift wrapping",
            "quantity": 1,
            "sku": "PPP-EBOOK" if variant else "",
            "variant_title": None,
            "vendor": None,
            "fulfillment_service": "manual",
            "requires_shipping": False,
            "taxable": True,
            "gift_card": False,
            "name": "Practical Python Projects",
            "properties": [],
            "product_exists": variant is not None,
            "fulfillable_quantity": 1,
            "grams": 0,
            "price": "29.00",
            "total_discount": "0.00",
            "fulfillment_status": None,
            "price_set": _money("29.00"),
            "discount_allocations": [],
            "duties": [],
            "tax_lines": [],
        }
        for line_id, variant in zip(line_item_ids, variant_ids, strict=True)
    ]
    customer = {
        "id": 115310627314723954,
        "email": customer_email,
        "created_at": None,
        "updated_at": None,
        "first_name": first_name,
        "last_name": last_name,
        "state": "disabled",
        "note": None,
        "verified_email": True,
        "multipass_identifier": None,
        "tax_exempt": False,
        "phone": None,
        "currency": "USD",
        "admin_graphql_api_id": "gid://shopify/Customer/115310627314723954",
    }
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "email": email,
        "contact_email": email,
        "closed_at": None,
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
        "processed_at": processed_at,
        "number": 234,
        "name": "#9999",
        "note": None,
        "token": "123456abcd",
        "test": True,
        "total_price": "58.00",
        "subtotal_price": "58.00",
        "currency": "USD",
        "financial_status": "paid",
        "confirmed": True,
        "customer_locale": customer_locale,
        "payment_gateway_names": ["bogus"],
        "source_name": "web",
        "order_status_url": f"https://{SHOP}/548380009/orders/123456abcd/authenticate?key=a",
        "total_price_set": _money("58.00"),
        "line_items": lines,
        "shipping_lines": [],
        "refunds": [],
        "billing_address": {"first_name": "Bob", "last_name": "Biller", "name": billing_name},
        "customer": customer,
    }


def refunds_create(
    order_id: int = ORDER_ID,
    line_item_ids: Sequence[int] = (LINE_ITEM_IDS[0],),
    *,
    variant_ids: Sequence[int | None] | None = None,
    refund_id: int | None = None,
) -> dict[str, Any]:
    """A refunds/create payload refunding these line items (none: shipping or an amount only)."""
    variants = variant_ids if variant_ids is not None else [VARIANT_ID] * len(line_item_ids)
    number = next(_REFUND_IDS) if refund_id is None else refund_id
    lines = [
        {
            "id": 104689539 + n,
            "quantity": 1,
            "line_item_id": line_id,
            "location_id": None,
            "restock_type": "no_restock",
            "subtotal": 29.0,
            "total_tax": 0.0,
            "subtotal_set": _money("29.00"),
            "line_item": {"id": line_id, "variant_id": variant, "quantity": 1, "price": "29.00"},
        }
        for n, (line_id, variant) in enumerate(zip(line_item_ids, variants, strict=True))
    ]
    return {
        "id": number,
        "admin_graphql_api_id": f"gid://shopify/Refund/{number}",
        "order_id": order_id,
        "created_at": "2026-04-07T10:00:00-04:00",
        "processed_at": "2026-04-07T10:00:00-04:00",
        "note": "it wasn't the right book",
        "user_id": None,
        "restock": False,
        "duties": [],
        "refund_line_items": lines,
        "transactions": [{"kind": "refund", "status": "success", "amount": "29.00"}],
        "order_adjustments": [],
    }


def shopify_body(payload: dict[str, Any]) -> bytes:
    """The bytes Shopify posts: compact JSON with "/" escaped as "\\/" (non-ASCII kept as UTF-8)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return text.replace("/", "\\/").encode("utf-8")  # "/" only occurs inside JSON strings


def shopify_headers(
    body: bytes,
    secret: str,
    topic: str,
    *,
    webhook_id: str | None = None,
    event_id: str | None = None,
    lowercase: bool = False,
) -> dict[str, str]:
    """The headers of one delivery of `body` (names as HTTP/1.1 or, lowercased, HTTP/2)."""
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign_shopify(body, secret),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": TRIGGERED_AT,
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
    }
    return {k.lower(): v for k, v in headers.items()} if lowercase else headers


def shopify_request(
    payload: dict[str, Any], secret: str, topic: str = "orders/paid", **kwargs: Any
) -> tuple[bytes, dict[str, str]]:
    """One signed delivery: the body as Shopify serialises it and its headers."""
    body = shopify_body(payload)
    return body, shopify_headers(body, secret, topic, **kwargs)


def retried(headers: dict[str, str]) -> dict[str, str]:
    """A retry of a delivery: Shopify resends the original payload with the same headers."""
    return dict(headers)


def for_another_subscription(headers: dict[str, str]) -> dict[str, str]:
    """The same event delivered to a second subscription: a new webhook id, same event id."""
    name = next(k for k in headers if k.lower() == "x-shopify-webhook-id")
    return headers | {name: str(uuid.uuid4())}


def shopify_catalog(folder: Path, variant_id: int = VARIANT_ID) -> Path:
    """A catalog selling the sample book (PDF and EPUB) as this Shopify variant."""
    path = folder / "shopify-catalog.toml"
    path.write_text(
        "[products.practical-python]\n"
        f'ids = ["shopify:{variant_id}"]\n'
        'title = "Practical Python Projects"\n'
        "files = [\n"
        '  { source = "practical-python.pdf", stamp = true, skip_pages = 1 },\n'
        '  { source = "practical-python.epub", stamp = true, footer = "auto" },\n'
        "]\n"
    )
    return path


def _money(amount: str) -> dict[str, dict[str, str]]:
    money = {"amount": amount, "currency_code": "USD"}
    return {"shop_money": money, "presentment_money": dict(money)}
