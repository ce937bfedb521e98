"""Realistic Paddle notifications for tests, the demo and the load bench.

Builders return what Paddle sends, trimmed to the fields that matter plus a
few neighbours so the parsers meet realistic noise: Billing bodies as dicts (the
caller serialises and signs the exact bytes it posts) and Classic forms as
dict[str, str] (values as posted, `p_signature` added by `signed_form`). The
shapes follow developer.paddle.com (transaction.completed, adjustment.*) and
the Classic webhook reference (payment_succeeded, payment_refunded, the
fulfilment webhook, payment_dispute_created and payment_dispute_closed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from common.merchants._paddle_billing import sign_billing
from common.merchants._paddle_classic import sign_classic

OCCURRED_AT = "2024-04-12T10:18:49.621022Z"
EVENT_TIME = "2024-04-12 10:18:49"


def billing_transaction_completed(
    txn_id: str = "txn_01hv8wptq8987qeep44cyrewp9",
    customer_id: str | None = "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
    price_ids: Sequence[str] = ("pri_01gsz8x8sawmvhz1pv30nge1ke",),
    product_ids: Sequence[str] = ("pro_01gsz4t5hdjse780zja8vvr7jg",),
    *,
    event_id: str = "evt_01hv8wt8nffy2ydnqwatyrgsrd",
    occurred_at: str = OCCURRED_AT,
) -> dict[str, Any]:
    """A transaction.completed notification with one item per (price, product) pair."""
    items = [
        {
            "price": {
                "id": price_id,
                "name": "eBook",
                "type": "standard",
                "status": "active",
                "product_id": product_id,
                "unit_price": {"amount": "2900", "currency_code": "USD"},
                "billing_cycle": None,
            },
            "quantity": 1,
            "proration": None,
        }
        for price_id, product_id in zip(price_ids, product_ids, strict=True)
    ]
    # details.line_items: the same lines with the ids adjustments name them by (txnitm_…).
    line_items = [
        {
            "id": f"txnitm_{txn_id.removeprefix('txn_')[:20]}{n:02d}",
            "price_id": price_id,
            "quantity": 1,
            "proration": None,
            "tax_rate": "0.08",
            "unit_totals": {"subtotal": "2685", "discount": "0", "tax": "215", "total": "2900"},
            "totals": {"subtotal": "2685", "discount": "0", "tax": "215", "total": "2900"},
            "product": {"id": product_id, "name": "eBook", "status": "active"},
        }
        for n, (price_id, product_id) in enumerate(zip(price_ids, product_ids, strict=True))
    ]
    return {
        "data": {
            "id": txn_id,
            "items": items,
            "origin": "web",
            "status": "completed",
            "details": {
                "totals": {"total": "2900", "currency_code": "USD"},
                "line_items": line_items,
            },
            "address_id": "add_01hv8wpts5xqvfwmfzr4e9bqn9",
            "created_at": "2024-04-12T10:17:10.461426Z",
            "invoice_id": "inv_01hv8wt6hf0bjaq0ywnp1rzx8b",
            "updated_at": "2024-04-12T10:18:49.621022Z",
            "business_id": None,
            "custom_data": None,
            "customer_id": customer_id,
            "currency_code": "USD",
            "billing_period": None,
            "invoice_number": "325-10566",
            "collection_mode": "automatic",
            "subscription_id": None,
        },
        "event_id": event_id,
        "event_type": "transaction.completed",
        "occurred_at": occurred_at,
        "notification_id": "ntf_01hv8wt8rrv0q5hjqz5kpnagrm",
    }


def billing_adjustment(
    txn_id: str = "txn_01hv8wptq8987qeep44cyrewp9",
    action: str = "refund",
    status: str = "approved",
    *,
    event_type: str = "adjustment.updated",
    event_id: str = "evt_01hv9bxkqgt1sz1gx8z7g2n6rx",
    occurred_at: str = OCCURRED_AT,
) -> dict[str, Any]:
    """An adjustment.created/updated notification (refund, chargeback, credit, ...).

    `type` full adjusts the whole transaction; partial names `items`, each
    {"item_id": "txnitm_…", "type": "full" | "partial" | "tax" | "proration", ...}
    (developer.paddle.com, Adjustments; paddle-python-sdk AdjustmentItem).
    """
    return {
        "data": {
            "id": "adj_01hv9bx7w6rn5v0hv5fhxhbxfq",
            "type": "full",
            "items": [],
            "action": action,
            "reason": "error",
            "status": status,
            "totals": {"total": "2900", "currency_code": "USD"},
            "created_at": "2024-04-12T14:12:23.12Z",
            "updated_at": "2024-04-12T14:22:41.44Z",
            "customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
            "currency_code": "USD",
            "transaction_id": txn_id,
            "subscription_id": None,
            "credit_applied_to_balance": None,
        },
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "notification_id": "ntf_01hv9bxkw1wt0j3mzr3s4hfntx",
    }


def adjustment_item(item_id: str, kind: str = "full", n: int = 0) -> dict[str, Any]:
    """One item of a partial adjustment, as Paddle sends it."""
    return {
        "id": f"adjitm_01hv9bx7w6rn5v0hv5fhxhbx{n:02d}",
        "item_id": item_id,
        "type": kind,
        "amount": "2900" if kind == "full" else "500",
        "proration": None,
        "totals": {"subtotal": "2685", "tax": "215", "total": "2900"},
    }


def billing_body(payload: Mapping[str, Any]) -> bytes:
    """Serialise a payload compactly, as Paddle does; sign these exact bytes."""
    return json.dumps(payload, separators=(",", ":")).encode()


def billing_request(
    payload: Mapping[str, Any], secret: str, ts: int
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a correctly signed Billing notification."""
    body = billing_body(payload)
    headers = {
        "Content-Type": "application/json",
        "Paddle-Signature": sign_billing(body, secret, ts),
    }
    return body, headers


def classic_payment_succeeded(
    order_id: str = "4021307-5765381",
    product_id: str = "552312",
    email: str = "ada@example.com",
    customer_name: str = "Ada Lovelace",
    *,
    alert_id: str = "1812345678",
    event_time: str = EVENT_TIME,
) -> dict[str, str]:
    """A payment_succeeded alert as posted, without p_signature."""
    return {
        "alert_id": alert_id,
        "alert_name": "payment_succeeded",
        "balance_currency": "USD",
        "balance_earnings": "24.65",
        "balance_fee": "1.95",
        "balance_gross": "29.00",
        "balance_tax": "2.40",
        "checkout_id": "27835673-chre93c81118fc7-b3092639c1",
        "country": "GB",
        "coupon": "",
        "currency": "USD",
        "customer_name": customer_name,
        "earnings": "24.65",
        "email": email,
        "event_time": event_time,
        "fee": "1.95",
        "ip": "203.0.113.7",
        "marketing_consent": "0",
        "order_id": order_id,
        "passthrough": "",
        "payment_method": "card",
        "payment_tax": "2.40",
        "product_id": product_id,
        "product_name": "Practical Python Projects",
        "quantity": "1",
        "receipt_url": "https://my.paddle.com/receipt/4021307-5765381/abcdef",
        "sale_gross": "29.00",
        "used_price_override": "0",
    }


def classic_fulfilment(
    order_id: str = "4021307-5765381",
    product_id: str = "552312",
    email: str = "ada@example.com",
    customer_name: str = "Ada Lovelace",
    *,
    event_time: str = EVENT_TIME,
) -> dict[str, str]:
    """A product fulfilment webhook (p_* fields plus the email and name custom fields)."""
    return {
        "event_time": event_time,
        "p_country": "GB",
        "p_coupon": "",
        "p_coupon_savings": "0.00",
        "p_currency": "USD",
        "p_earnings": '{"12345":"24.65"}',
        "p_order_id": order_id,
        "p_paddle_fee": "1.95",
        "p_price": "29.00",
        "p_product_id": product_id,
        "p_quantity": "1",
        "p_sale_gross": "29.00",
        "p_tax_amount": "2.40",
        "p_used_price_override": "0",
        "passthrough": "",
        "quantity": "1",
        "email": email,
        "customer_name": customer_name,
        "marketing_consent": "0",
    }


def classic_refund(
    order_id: str = "4021307-5765381",
    *,
    refund_type: str = "full",
    alert_id: str = "1812349999",
    event_time: str = EVENT_TIME,
) -> dict[str, str]:
    """A payment_refunded alert as posted, without p_signature."""
    return {
        "alert_id": alert_id,
        "alert_name": "payment_refunded",
        "amount": "29.00",
        "balance_currency": "USD",
        "balance_earnings_decrease": "24.65",
        "balance_fee_refund": "1.95",
        "balance_gross_refund": "29.00",
        "balance_tax_refund": "2.40",
        "checkout_id": "27835673-chre93c81118fc7-b3092639c1",
        "currency": "USD",
        "earnings_decrease": "24.65",
        "email": "ada@example.com",
        "event_time": event_time,
        "fee_refund": "1.95",
        "gross_refund": "29.00",
        "marketing_consent": "0",
        "order_id": order_id,
        "passthrough": "",
        "quantity": "1",
        "refund_reason": "Customer asked",
        "refund_type": refund_type,
        "tax_refund": "2.40",
    }


def classic_dispute(
    order_id: str = "4021307-5765381",
    *,
    alert_name: str = "payment_dispute_created",
    status: str = "open",
    alert_id: str = "1812351111",
    event_time: str = EVENT_TIME,
) -> dict[str, str]:
    """A payment_dispute_created (status open) or payment_dispute_closed (status closed) alert.

    Fields as in Paddle Classic's webhook reference (Risk & Dispute Alerts); Paddle
    sends payment_dispute_closed when it contested the chargeback and won.
    """
    return {
        "alert_id": alert_id,
        "alert_name": alert_name,
        "amount": "29.00",
        "balance_amount": "29.00",
        "balance_currency": "USD",
        "balance_fee": "15.00",
        "checkout_id": "27835673-chre93c81118fc7-b3092639c1",
        "currency": "USD",
        "email": "ada@example.com",
        "event_time": event_time,
        "fee_usd": "15.00",
        "marketing_consent": "0",
        "order_id": order_id,
        "passthrough": "",
        "status": status,
    }


def signed_form(fields: Mapping[str, str], private_key: RSAPrivateKey) -> dict[str, str]:
    """The fields plus the p_signature Paddle would add."""
    return {**fields, "p_signature": sign_classic(fields, private_key)}


@cache
def rsa_test_key(label: str = "paddle") -> RSAPrivateKey:
    """A 2048-bit RSA key made once per label per test run (Paddle's are 4096; 2048 is faster)."""
    del label  # only the cache key: a different label gives a different key
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private_key: RSAPrivateKey) -> str:
    """The PEM text Paddle's dashboard shows as the Classic public key."""
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
