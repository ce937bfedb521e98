"""WooCommerce deliveries as a WordPress shop sends them, for tests and the e2e tier.

`order()` builds the REST API's order (woocommerce.github.io/woocommerce-rest-api-docs,
wp-api-v3 Orders, the "Create an order" sample: order 727, lines 315 and 316 with
product 93 and product 22 in variation 23, billing John Doe), trimmed of shipping
and tax detail but keeping their neighbours so the parser meets realistic noise.
`delivery()` turns it into the exact bytes and headers WC_Webhook::deliver sends
(woocommerce/woocommerce plugins/woocommerce/includes/class-wc-webhook.php):

- the body is `trim(wp_json_encode($payload))`: PHP's json_encode with no flags,
  so compact, "/" written "\\/", and everything beyond ASCII as \\uXXXX escapes;
  a verifier that re-serialises the JSON never matches;
- the headers keep WordPress's casing (X-WC-Webhook-Signature …), which a proxy
  or HTTP/2 may lower-case on the way; the User-Agent is "WooCommerce/<v> Hookshot";
- the delivery id is `wp_hash($webhook_id . strtotime('now'))`, an HMAC-MD5 under
  the site's salt: one webhook's deliveries within one second share it;
- nothing is timestamped, so a redelivered or replayed body is byte-identical.

`ping()` is `deliver_ping`'s unsigned form post, `webhook_id=<id>`, with the
Content-Type WordPress's HTTP transports add to a string body (Requests'
fsockopen transport: "application/x-www-form-urlencoded; charset=UTF-8"; curl:
the same without the charset). `rest_error()` is the body WooCommerce sends when
the order could not be read as the webhook's user (RestApiUtil::get_endpoint_data).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common.merchants._woocommerce import sign_woocommerce

SECRET = "wc_test_secret, with a comma: WooCommerce's own may have some"
WEBHOOK_ID = 12
SOURCE = "https://books.example/"
USER_AGENT = "WooCommerce/9.8.1 Hookshot (WordPress/6.8.1)"
_SITE_SALT = b"a test site's auth salt"  # wp_salt('auth'): unknown to receivers, so any will do


def order(
    number: int = 727,
    status: str = "processing",
    lines: Sequence[tuple[int, int, int]] = ((315, 93, 0), (316, 22, 23)),
    *,
    email: str = "john.doe@example.com",
    first_name: str = "John",
    last_name: str = "Doe",
    refunds: Sequence[dict[str, Any]] = (),
    date_paid_gmt: str | None = "2017-03-22T19:28:08",
) -> dict[str, Any]:
    """An order as the REST API returns it; lines are (line item id, product id, variation id)."""
    return {
        "id": number,
        "parent_id": 0,
        "number": str(number),
        "order_key": "wc_order_58d2d042d1d",
        "created_via": "checkout",
        "version": "9.8.1",
        "status": status,
        "currency": "USD",
        "date_created": "2017-03-22T16:28:02",
        "date_created_gmt": "2017-03-22T19:28:02",
        "date_modified": "2017-03-22T16:28:08",
        "date_modified_gmt": "2017-03-22T19:28:08",
        "total": "29.35",
        "customer_id": 0,
        "customer_note": "",
        "billing": {
            "first_name": first_name,
            "last_name": last_name,
            "company": "",
            "address_1": "969 Market",
            "address_2": "",
            "city": "San Francisco",
            "state": "CA",
            "postcode": "94103",
            "country": "US",
            "email": email,
            "phone": "(555) 555-5555",
        },
        "payment_method": "cod",
        "payment_method_title": "Cash on delivery",
        "transaction_id": "",
        "date_paid": "2017-03-22T16:28:08" if date_paid_gmt else None,
        "date_paid_gmt": date_paid_gmt,
        "date_completed": None,
        "date_completed_gmt": None,
        "meta_data": [{"id": 13106, "key": "_download_permissions_granted", "value": "yes"}],
        "line_items": [
            {
                "id": item_id,
                "name": "Practical Python Projects – eBook",
                "product_id": product_id,
                "variation_id": variation_id,
                "quantity": 1,
                "tax_class": "",
                "subtotal": "12.00",
                "total": "12.00",
                "taxes": [],
                "meta_data": [],
                "sku": "",
                "price": 12,
            }
            for item_id, product_id, variation_id in lines
        ],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": list(refunds),
        "_links": {
            "self": [{"href": f"https://books.example/wp-json/wc/v3/orders/{number}"}],
            "collection": [{"href": "https://books.example/wp-json/wc/v3/orders"}],
        },
    }


def rest_error(status: int = 404) -> dict[str, Any]:
    """What WooCommerce sends in place of an order it could not read (deleted, or forbidden)."""
    if status == 404:
        return {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.",
                "data": {"status": 404}}  # fmt: skip
    return {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot view this "
            "resource.", "data": {"status": status}}  # fmt: skip


def wp_json_encode(payload: Any) -> bytes:
    """PHP's json_encode($payload) with no flags, trimmed, as WC_Webhook::deliver sends it."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/").strip().encode()


def delivery_id(webhook_id: int = WEBHOOK_ID, when: float = 1_490_210_888) -> str:
    """wp_hash($webhook_id . strtotime('now')): the same for every delivery in that second."""
    return hmac.new(_SITE_SALT, f"{webhook_id}{int(when)}".encode(), hashlib.md5).hexdigest()


def delivery(
    payload: Any,
    secret: str = SECRET,
    topic: str = "order.updated",
    *,
    when: float = 1_490_210_888,
    lowercase: bool = False,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery of `payload` under `topic`, signed with `secret`."""
    body = wp_json_encode(payload)
    resource, _, event = topic.partition(".")
    headers = {
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "X-WC-Webhook-Source": SOURCE,
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": sign_woocommerce(body, secret),
        "X-WC-Webhook-ID": str(WEBHOOK_ID),
        "X-WC-Webhook-Delivery-ID": delivery_id(WEBHOOK_ID, when),
    }
    if lowercase:
        headers = {name.lower(): value for name, value in headers.items()}
    return body, headers


def ping(webhook_id: int = WEBHOOK_ID, *, charset: bool = True) -> tuple[bytes, dict[str, str]]:
    """deliver_ping's request: unsigned, no X-WC headers, a form body naming the webhook."""
    content_type = "application/x-www-form-urlencoded"
    return f"webhook_id={webhook_id}".encode(), {
        "User-Agent": USER_AGENT,
        "Content-Type": f"{content_type}; charset=UTF-8" if charset else content_type,
    }


# A catalog selling the sample book as WooCommerce product 93 and as variation 23 of 22.
CATALOG = """
[products.practical-python]
ids = ["woocommerce:93", "woocommerce:23"]
title = "Practical Python Projects"
files = [
  { source = "practical-python.pdf", stamp = true, skip_pages = 1 },
  { source = "practical-python.epub", stamp = true, footer = "auto" },
]
"""


def write_catalog(folder: Path) -> Path:
    """CATALOG as a file in `folder`, for settings' CATALOG."""
    path = folder / "woocommerce-catalog.toml"
    path.write_text(CATALOG)
    return path
