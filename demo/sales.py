"""One signed sale of the sample book per store, as each store serialises and signs it.

`make demo MERCHANT=<store>` posts one of these to `/webhooks/<store>`. Each body
is the smallest the store's real payload shape allows (docs/merchants/ cites the
shapes); the sample catalog sells the book under each store's demo id, and the
embedded stack runs with the demo secrets below. `make deploy` sends one to the
live service at its end, signed with the live secret and mailed to the author.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from common.merchants import (
    sign_billing,
    sign_lemonsqueezy,
    sign_shopify,
    sign_stripe,
    sign_woocommerce,
)
from demo.purchase import purchase_body

# Demo-only secrets: the embedded stack accepts them, a cloud deployment never sees them.
DEMO_SECRETS = {
    "STRIPE_WEBHOOK_SECRET": "whsec_exlibris_demo_only",
    "LEMONSQUEEZY_WEBHOOK_SECRET": "lsq-exlibris-demo-only",
    "SHOPIFY_WEBHOOK_SECRET": "shpss_exlibris_demo_only",
    "WOOCOMMERCE_WEBHOOK_SECRET": "wc-exlibris-demo-only",
}
BUYER = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}


@dataclass(frozen=True)
class Sale:
    order_id: str  # as exlibris names the order
    body: bytes
    headers: dict[str, str]
    ref: str = ""  # the checkout reference the buyer returns with: /thanks?ref=<ref>


def checkout_ref() -> str:
    """What a shop page generates for Paddle.js customData or checkout[custom]: 22 random chars."""
    return secrets.token_urlsafe(16)


def _json(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def paddle(secret: str, email: str = BUYER["email"], customer_id: str = "ctm_demo") -> Sale:
    """Billing names no buyer: the worker asks Paddle for customer_id's (email is unused)."""
    order_id, ref = f"txn_demo{uuid.uuid4().hex[:20]}", checkout_ref()
    body = purchase_body(order_id, customer_id, ref)
    signature = sign_billing(body, secret, int(time.time()))
    return Sale(order_id, body, {"Paddle-Signature": signature}, ref)


def stripe(secret: str, email: str = BUYER["email"]) -> Sale:
    session = f"cs_test_exlibris_demo_{uuid.uuid4().hex[:16]}"  # the offline line-item table's
    body = _json(
        {
            "id": f"evt_demo{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": session,
                    "object": "checkout.session",
                    "mode": "payment",
                    "payment_status": "paid",
                    "payment_intent": f"pi_demo{uuid.uuid4().hex[:20]}",
                    "customer_details": {"email": email, "name": "Ada Lovelace"},
                }
            },
        }
    )
    signature = sign_stripe(body, secret, int(time.time()))
    return Sale(f"stripe-{session}", body, {"Stripe-Signature": signature}, session)


def lemonsqueezy(secret: str, email: str = BUYER["email"]) -> Sale:
    number, ref = str(uuid.uuid4().int % 10**9), checkout_ref()
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    attributes = {
        "identifier": str(uuid.uuid4()),
        "status": "paid",
        "user_name": "Ada Lovelace",
        "user_email": email,
        "total": 999,
        "refunded_amount": 0,
        "first_order_item": {"variant_id": 140432, "product_id": 128011},
        "created_at": now,
        "test_mode": True,
    }
    body = _json(
        {
            "meta": {
                "event_name": "order_created",
                "test_mode": True,
                "custom_data": {"exlibris_ref": ref},  # checkout[custom][exlibris_ref]=…
            },
            "data": {"type": "orders", "id": number, "attributes": attributes},
        }
    )
    headers = {"X-Event-Name": "order_created", "X-Signature": sign_lemonsqueezy(body, secret)}
    return Sale(f"lemonsqueezy-{number}", body, headers, ref)


def shopify(secret: str, email: str = BUYER["email"]) -> Sale:
    number = 820982911946154508 + uuid.uuid4().int % 10**6
    body = _json(
        {
            "id": number,
            "email": email,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S-00:00", time.gmtime()),
            "customer": {**{k: BUYER[k] for k in ("first_name", "last_name")}, "email": email},
            "line_items": [{"id": 866550311766439020, "variant_id": 808950810, "quantity": 1}],
        }
    )
    headers = {
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Shop-Domain": "exlibris-demo.myshopify.com",
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Hmac-Sha256": sign_shopify(body, secret),
    }
    return Sale(f"shopify-{number}", body, headers)


def woocommerce(secret: str, email: str = BUYER["email"]) -> Sale:
    number = 727 + uuid.uuid4().int % 10**6
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    body = _json(
        {
            "id": number,
            "status": "processing",
            "date_created_gmt": now,
            "date_paid_gmt": now,
            "billing": {**{k: BUYER[k] for k in ("first_name", "last_name")}, "email": email},
            "line_items": [{"id": 315, "product_id": 93, "variation_id": 0, "quantity": 1}],
        }
    )
    headers = {
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Resource": "order",
        "X-WC-Webhook-Event": "created",
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
        "X-WC-Webhook-Signature": sign_woocommerce(body, secret),
    }
    return Sale(f"woocommerce-{number}", body, headers)


# SALES[store](secret, email=…): the buyer's address is the email's (make deploy mails its
# test sale to the author); Paddle Billing's names a customer id instead (customer_id=…).
SALES: dict[str, Callable[..., Sale]] = {
    "paddle": paddle,
    "stripe": stripe,
    "lemonsqueezy": lemonsqueezy,
    "shopify": shopify,
    "woocommerce": woocommerce,
}
