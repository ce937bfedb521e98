"""Realistic Stripe events for tests: the Event object around a Checkout Session, Charge or Dispute.

Shapes follow Stripe's API reference samples, trimmed to the fields that matter
plus neighbours so the parser meets realistic noise: the Event object
(docs.stripe.com/api/events/object: id evt_…, object "event", api_version,
created, data.object, livemode, pending_webhooks, request, type), the Checkout
Session object (docs.stripe.com/api/checkout/sessions/object: cs_test_… ids,
mode, status, payment_status, customer_details {email, name, …}, payment_intent,
payment_link), the Charge (docs.stripe.com/api/charges/object: amount,
amount_refunded, refunded, payment_intent) and the Dispute
(docs.stripe.com/api/disputes/object: charge, payment_intent, reason, status).

What Stripe does that a receiver must survive, and the factory imitates:
- the body is signed as sent; `stripe_body` pretty-prints it, so any verifier that
  re-serialised the JSON would see other bytes (docs.stripe.com/webhooks#verify-manually:
  "Stripe requires the raw body of the request");
- one `v1` per live secret while a secret is rolled, and a `v0` beside it for
  test-mode events (`signature_header`; docs.stripe.com/webhooks#roll-endpoint-secrets);
- the same event delivered twice, and events out of order (a refund before its
  sale): the tests post the same bytes again, or post in another order
  (docs.stripe.com/webhooks#handle-duplicate-events, #event-ordering);
- header names in lower case, as HTTP/2 sends every header (RFC 9113 §8.2.2):
  `stripe_request(lower=True)`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Mapping
from typing import Any

from common.merchants._stripe import sign_stripe

CREATED = 1712917129  # 2024-04-12T10:18:49Z
API_VERSION = "2024-04-10"
_IDS = itertools.count(1)


def session(
    session_id: str = "cs_test_a1enSAC01IA3Ps2vL32mNoWKMCNmmfUGTeEeHXI5tLCvyFNGsdG2UNA7mr",
    *,
    payment_status: str = "paid",
    email: str | None = "ada@example.com",
    name: str | None = "Ada Lovelace",
    payment_intent: str | dict[str, Any] | None = "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    mode: str = "payment",
    payment_link: str | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """A completed Checkout Session, as data.object of checkout.session.* events."""
    details = None
    if email is not None or name is not None:
        details = {
            "address": {"city": None, "country": "GB", "line1": None, "postal_code": "SW1A"},
            "email": email,
            "name": name,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        }
    return {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": 2900,
        "amount_total": 2900,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "cancel_url": None,
        "client_reference_id": None,
        "created": CREATED - 60,
        "currency": "usd",
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": details,
        "customer_email": None,
        "expires_at": CREATED + 86340,
        "invoice": None,
        "livemode": False,
        "locale": locale,
        "metadata": {},
        "mode": mode,
        "payment_intent": payment_intent if mode == "payment" else None,
        "payment_link": payment_link,
        "payment_method_types": ["card"],
        "payment_status": payment_status,
        "status": "complete",
        "subscription": None,
        "success_url": "https://shop.example/thanks?ref={CHECKOUT_SESSION_ID}",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": None,
    }


def charge(
    payment_intent: str | None = "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    *,
    amount: int = 2900,
    amount_refunded: int = 2900,
) -> dict[str, Any]:
    """A Charge as data.object of charge.refunded (full refund unless told otherwise)."""
    return {
        "id": "ch_3MtwBwLkdIwHu7ix28a3tqPb",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "balance_transaction": "txn_3MtwBwLkdIwHu7ix28a3tqPc",
        "captured": True,
        "created": CREATED,
        "currency": "usd",
        "customer": None,
        "disputed": False,
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "payment_method": "pm_1MtwBwLkdIwHu7ixN6T3Wjuu",
        "refunded": amount_refunded == amount,
        "status": "succeeded",
    }


def dispute(
    payment_intent: str | None = "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    *,
    status: str = "needs_response",
    reason: str = "fraudulent",
) -> dict[str, Any]:
    """A Dispute as data.object of charge.dispute.created / .closed."""
    return {
        "id": "du_1MtJUT2eZvKYlo2CNaw2HvEv",
        "object": "dispute",
        "amount": 2900,
        "balance_transactions": [],
        "charge": "ch_3MtwBwLkdIwHu7ix28a3tqPb",
        "created": CREATED,
        "currency": "usd",
        "evidence_details": {"due_by": CREATED + 7 * 86400, "has_evidence": False},
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": reason,
        "status": status,
    }


def event(
    kind: str, obj: Mapping[str, Any], *, event_id: str | None = None, created: int = CREATED
) -> dict[str, Any]:
    """The Event object Stripe posts around `obj`."""
    return {
        "id": event_id or f"evt_1NG8Du2eZvKYlo2C{next(_IDS):08d}",
        "object": "event",
        "api_version": API_VERSION,
        "created": created,
        "data": {"object": dict(obj)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
    }


def stripe_body(payload: Mapping[str, Any]) -> bytes:
    """Serialise an event pretty-printed; sign these exact bytes."""
    return json.dumps(payload, indent=2).encode()


def signature_header(body: bytes, secrets: list[str], ts: int, *, v0: bool = False) -> str:
    """Stripe-Signature with one v1 per secret (a roll), and a test-mode v0 if asked."""
    parts = [f"t={ts}"]
    for secret in secrets:
        parts.append(sign_stripe(body, secret, ts).split(",", 1)[1])
    if v0:
        parts.append(f"v0={hmac.new(b'test-mode', body, hashlib.sha256).hexdigest()}")
    return ",".join(parts)


def stripe_request(
    payload: Mapping[str, Any], secret: str, ts: int, *, lower: bool = False
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a correctly signed Stripe event."""
    body = stripe_body(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": sign_stripe(body, secret, ts),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    if lower:
        headers = {k.lower(): v for k, v in headers.items()}
    return body, headers
