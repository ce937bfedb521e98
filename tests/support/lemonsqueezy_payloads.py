"""Lemon Squeezy webhooks as Lemon Squeezy sends them, for tests and the e2e tier.

Builders return the JSON:API body as a dict (the caller serialises and signs the
exact bytes it posts). The order's shape is the docs' own sample: the
order_created request on docs.lemonsqueezy.com/help/webhooks/webhook-requests
and the order after a refund on docs.lemonsqueezy.com/api/orders/issue-refund
(`refunded`, `refunded_amount`, `first_order_item`, `identifier`, `urls`).

What Lemon Squeezy really does, which the tests imitate:
- A delivery answered with anything but 200 is retried up to three more times
  (5, 25, 125 s), the same bytes and signature each time; the dashboard can
  resend any webhook again later (help/webhooks/webhook-requests, help/webhooks).
  So `signed_request` is deterministic: posting its result twice is a redelivery.
- The signature has no timestamp (help/webhooks/signing-requests), so a resend
  days later carries the same X-Signature.
- order_refunded comes for a full and for a partial refund (help/webhooks/
  event-types); a partial one leaves `status: paid`, `refunded: false` and
  `refunded_amount` below `total` (api/orders/issue-refund).
- order_created "will always be sent alongside" subscription_created (event-types).
- Headers are `X-Event-Name` and `X-Signature`; lmsqueezy/laravel reads
  `x-signature` in lower case, so `lower_case_headers` checks we read any casing.
- `meta.custom_data` carries what the checkout passed (help/webhooks/webhook-requests).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from common.merchants._lemonsqueezy import sign_lemonsqueezy

SECRET = "lsq-test-signing-secret-0123456789"  # Lemon Squeezy: 6 to 40 characters
VARIANT_ID = 140432  # the test catalog's variant of practical-python
PRODUCT_ID = 128011
CREATED_AT = "2024-04-12T10:18:49.000000Z"
REFUNDED_AT = "2024-04-13T08:02:11.000000Z"


def identifier(order_id: str) -> str:
    """The order's UUID (attributes.identifier), the same for every event of one order."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"lemonsqueezy-order-{order_id}"))


def order_attributes(
    order_id: str = "1842701",
    *,
    status: str = "paid",
    email: Any = "ada@example.com",
    name: Any = "Ada Lovelace",
    variant_id: Any = VARIANT_ID,
    total: int = 1199,
    refunded: bool = False,
    refunded_amount: int = 0,
    test_mode: bool = False,
) -> dict[str, Any]:
    """An order's attributes, as the Order object lists them."""
    uid = identifier(order_id)
    return {
        "store_id": 51822,
        "customer_id": 2710386,
        "identifier": uid,
        "order_number": 10251,
        "user_name": name,
        "user_email": email,
        "currency": "USD",
        "currency_rate": "1.00000000",
        "subtotal": 999,
        "setup_fee": 0,
        "discount_total": 0,
        "tax": 200,
        "total": total,
        "refunded_amount": refunded_amount,
        "subtotal_usd": 999,
        "setup_fee_usd": 0,
        "discount_total_usd": 0,
        "tax_usd": 200,
        "total_usd": total,
        "refunded_amount_usd": refunded_amount,
        "tax_name": "VAT",
        "tax_rate": "20.00",
        "tax_inclusive": False,
        "status": status,
        "status_formatted": status.replace("_", " ").capitalize(),
        "refunded": refunded,
        "refunded_at": REFUNDED_AT if refunded_amount else None,
        "subtotal_formatted": "$9.99",
        "setup_fee_formatted": "$0.00",
        "discount_total_formatted": "$0.00",
        "tax_formatted": "$2.00",
        "total_formatted": f"${total / 100:.2f}",
        "refunded_amount_formatted": f"${refunded_amount / 100:.2f}",
        "first_order_item": {
            "id": 1812345,
            "order_id": int(order_id) if order_id.isdigit() else 0,
            "product_id": PRODUCT_ID,
            "variant_id": variant_id,
            "price_id": 201388,
            "product_name": "Practical Python Projects",
            "variant_name": "Default",
            "price": 999,
            "quantity": 1,
            "created_at": CREATED_AT,
            "updated_at": CREATED_AT,
            "test_mode": test_mode,
        },
        "urls": {"receipt": f"https://app.lemonsqueezy.com/my-orders/{uid}?signature=8847fff02e1b"},
        "created_at": CREATED_AT,
        "updated_at": REFUNDED_AT if refunded_amount else CREATED_AT,
        "test_mode": test_mode,
    }


def webhook(
    event_name: str,
    data: Mapping[str, Any],
    *,
    test_mode: bool = False,
    custom_data: Any = None,
) -> dict[str, Any]:
    """The envelope every event shares: meta (with custom data when the checkout had some), data."""
    meta: dict[str, Any] = {"test_mode": test_mode, "event_name": event_name}
    if custom_data is not None:
        meta["custom_data"] = custom_data
    return {"meta": meta, "data": dict(data)}


def order_event(
    event_name: str,
    order_id: str,
    attributes: Mapping[str, Any],
    *,
    test_mode: bool = False,
    custom_data: Any = None,
) -> dict[str, Any]:
    data = {
        "type": "orders",
        "id": order_id,
        "attributes": dict(attributes),
        "relationships": {
            "store": {
                "links": {"related": f"https://api.lemonsqueezy.com/v1/orders/{order_id}/store"}
            },
        },
        "links": {"self": f"https://api.lemonsqueezy.com/v1/orders/{order_id}"},
    }
    return webhook(event_name, data, test_mode=test_mode, custom_data=custom_data)


def order_created(
    order_id: str = "1842701",
    *,
    test_mode: bool = False,
    custom_data: Any = None,
    **attributes: Any,
) -> dict[str, Any]:
    """An order_created webhook (status paid unless told otherwise)."""
    attrs = order_attributes(order_id, test_mode=test_mode, **attributes)
    return order_event(
        "order_created", order_id, attrs, test_mode=test_mode, custom_data=custom_data
    )


def order_refunded(
    order_id: str = "1842701",
    *,
    amount: int | None = None,
    test_mode: bool = False,
    **attributes: Any,
) -> dict[str, Any]:
    """An order_refunded webhook: the whole total by default, `amount` cents for a partial one."""
    total = attributes.pop("total", 1199)
    refunded_amount = total if amount is None else amount
    full = refunded_amount >= total
    attrs = order_attributes(
        order_id,
        status="refunded" if full else "paid",
        total=total,
        refunded=full,
        refunded_amount=refunded_amount,
        test_mode=test_mode,
        **attributes,
    )
    return order_event("order_refunded", order_id, attrs, test_mode=test_mode)


def subscription_created(subscription_id: str = "338211") -> dict[str, Any]:
    """A subscription_created webhook, as the docs' developer guide shows it (trimmed)."""
    data = {
        "type": "subscriptions",
        "id": subscription_id,
        "attributes": {
            "store_id": 51822,
            "customer_id": 2710386,
            "order_id": 1842702,
            "product_id": PRODUCT_ID,
            "variant_id": VARIANT_ID,
            "user_name": "Dan R",
            "user_email": "dan@example.com",
            "status": "on_trial",
            "created_at": CREATED_AT,
        },
    }
    return webhook("subscription_created", data)


def body_of(payload: Mapping[str, Any]) -> bytes:
    """Serialise a payload compactly; sign these exact bytes."""
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_request(
    payload: Mapping[str, Any], secret: str = SECRET, *, event_name: str | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a correctly signed webhook (X-Event-Name from the payload)."""
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        "X-Event-Name": event_name or payload["meta"]["event_name"],
        "X-Signature": sign_lemonsqueezy(body, secret),
    }
    return body, headers


def lower_case_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def lemonsqueezy_catalog(folder: Path) -> Path:
    """The sample book sold as one Lemon Squeezy variant, in a catalog of its own."""
    path = folder / "catalog.toml"
    path.write_text(
        "[products.practical-python]\n"
        f'ids = ["lemonsqueezy:{VARIANT_ID}"]\n'
        'title = "Practical Python Projects"\n'
        "files = [\n"
        '  { source = "practical-python.pdf", stamp = true, skip_pages = 1 },\n'
        '  { source = "practical-python.epub", stamp = true },\n'
        "]\n"
    )
    return path
