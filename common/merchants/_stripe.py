"""Stripe (Checkout Sessions and Payment Links): signature check and event parsing, both pure.

Signature (docs.stripe.com/webhooks#verify-manually; stripe/stripe-python
`stripe/_webhook.py`, `WebhookSignature.verify_header`): Stripe sends
`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=<hex>]` and signs
`t + "." + raw body` with HMAC-SHA256 under the endpoint's `whsec_…` secret. While
a secret is rolled, both the old and the new one sign, so the header carries one v1
per live secret; only v1 counts ("ignore all schemes that aren't v1", against
downgrades; v0 is a test-mode signature). We verify the bytes as received, compare
in constant time against every secret we hold, and accept a timestamp within ±300 s
(stripe-python's DEFAULT_TOLERANCE; it checks only the past side, we also refuse
one from the future, as Svix does). The header is read strictly: a part that is not
`key=value`, a key other than `t` or `v<digits>`, a second `t`, a v1 that is not 64
hex digits or no v1 at all is a SignatureError with its reason.

Events (docs.stripe.com/checkout/fulfillment; the Checkout Session object,
docs.stripe.com/api/checkout/sessions/object): `checkout.session.completed` with
`payment_status` `paid` or `no_payment_required`, and
`checkout.session.async_payment_succeeded` (a delayed method such as SEPA Debit or
ACH settled) are sales; `completed` with `unpaid` waits for that second event and
`async_payment_failed` mails nothing. A session in `setup` mode sells nothing. The
event carries no line items, so OrderPaid names the session (`lookup_ref`, the
worker lists its line items) and the `payment_intent` (`payment_ref`, which refunds
and disputes name). The order is `stripe-<session id>`; the buyer is
`customer_details.email` and `.name` (falling back to `customer_email`). The session id is
also the checkout reference (`checkout_ref`): Stripe puts it into the success URL where the
author wrote `{CHECKOUT_SESSION_ID}`, for Checkout's `success_url` and a Payment Link's
`after_completion.redirect.url` alike (docs.stripe.com/payments/checkout/custom-success-page;
stripe-ruby PaymentLinkCreateParams::AfterCompletion::Redirect#url), so the buyer lands on
/thanks?ref=<session id>.
The session's `locale` is the language Checkout was shown in, an IETF tag such as "fr" or
"pt-BR", or "auto" (the browser's, unnamed) or null when the session was created without one
(docs.stripe.com/js/appendix/supported_locales; "If blank or auto, the browser's locale is
used", the Session object's reference): it becomes the order's language, and "auto" none.

Money back (docs.stripe.com/api/events/types): `charge.refunded` fires for partial
refunds too, so only `amount_refunded == amount` revokes; `charge.dispute.created`
revokes as a chargeback and `charge.dispute.closed` with `status: won` restores it
(lost and the rest leave it revoked). Both name the payment_intent, never our order.

Stripe retries a failed delivery for up to three days, may send one event twice
and does not keep events in order (docs.stripe.com/webhooks#retries, #event-ordering,
#handle-duplicate-events): the event id is each message's event_id, the worker is
idempotent per order, and a refund that outruns its sale is retried by Pub/Sub.
Needs no permissions; the secrets come from settings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from common.merchants._events import Event, EventError, Ignored
from common.merchants._hmac import TimestampedHeader, check_signatures, check_window, hmac_sha256
from common.merchants._json_fields import load_object, object_field
from common.merchants._port import WebhookRequest
from common.messages import Buyer, ContractError, OrderPaid, PaymentRestored, PaymentRevoked
from common.settings import Settings

DEFAULT_TOLERANCE = 300  # stripe-python's Webhook.DEFAULT_TOLERANCE, and DESIGN.md's
_HEADER = TimestampedHeader(
    "Stripe-Signature",
    ",",
    timestamp="t",
    signature="v1",
    other_schemes=re.compile(r"v[0-9]{1,3}"),  # v1 counts; v0 and any later scheme are ignored
    blank_is_malformed=True,
)
_PAID = frozenset({"paid", "no_payment_required"})


@dataclass(frozen=True)
class Stripe:
    """Stripe's events, at /webhooks/stripe (JSON, `Stripe-Signature`)."""

    secrets: tuple[str, ...]
    tolerance: int = DEFAULT_TOLERANCE
    name: ClassVar[str] = "stripe"
    prefix: ClassVar[str] = "stripe"
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    @classmethod
    def from_settings(cls, settings: Settings) -> Stripe | None:
        """On when STRIPE_WEBHOOK_SECRET is set."""
        if not settings.stripe_webhook_secrets:
            return None
        return cls(settings.stripe_webhook_secrets)

    def verify(self, request: WebhookRequest) -> None:
        header = request.header("Stripe-Signature")
        verify_stripe(header, request.body, self.secrets, now=request.now, tolerance=self.tolerance)

    def parse(self, request: WebhookRequest) -> Event:
        return parse_stripe_event(request.body)

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        return None  # Stripe shows the buyer nothing of our answer


def sign_stripe(body: bytes, secret: str, ts: int) -> str:
    """Return the Stripe-Signature header value Stripe would send for this body."""
    return f"t={ts},v1={hmac_sha256(secret, _signed(str(ts), body)).hex()}"


def verify_stripe(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> None:
    """Raise SignatureError unless `header` proves Stripe sent `body` within the window."""
    ts, signatures = _HEADER.parse(header)
    check_signatures(signatures, secrets, _signed(ts, body))
    check_window(ts, now=now, tolerance=tolerance)


def _signed(ts: str, body: bytes) -> bytes:
    return ts.encode() + b"." + body


def parse_stripe_event(body: bytes) -> Event:
    """Read a verified Stripe event body as one of our messages, or Ignored."""
    payload = load_object(body)
    try:
        return _event(payload)
    except ContractError as exc:  # signed, but holding what cannot travel
        raise EventError(str(exc)) from None


def _event(payload: dict[str, Any]) -> Event:
    kind = _text(payload, "type", "type")
    event_id = _text(payload, "id", "id")
    when = _occurred_at(payload)
    obj = object_field(object_field(payload, "data", "data"), "object", "data.object")
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        return _session(kind, obj, event_id, when)
    if kind == "charge.refunded":
        return _refunded(obj, event_id, when)
    if kind == "charge.dispute.created":
        return _revoked(kind, obj, event_id, when, "chargeback")
    if kind == "charge.dispute.closed":
        return _dispute_closed(obj, event_id, when)
    if kind == "checkout.session.async_payment_failed":
        note = f"delayed payment of {obj.get('id', '?')} failed: nothing to deliver"
        return Ignored(event_type=kind, event_id=event_id, note=note)
    return Ignored(event_type=kind, event_id=event_id)


def _session(kind: str, session: dict[str, Any], event_id: str, when: str) -> Event:
    session_id = _text(session, "id", "data.object.id")
    if session.get("mode") == "setup":
        note = f"session {session_id} is in setup mode: it sells nothing"
        return Ignored(event_type=kind, event_id=event_id, note=note)
    status = session.get("payment_status")
    if kind == "checkout.session.completed" and status not in _PAID:
        note = f"session {session_id} is {status!r}: waiting for async_payment_succeeded"
        return Ignored(event_type=kind, event_id=event_id, note=note)
    return OrderPaid(
        order_id=f"stripe-{session_id}",
        product_ids=(),  # the event has no line items: the worker lists them (lookup_ref)
        event_id=event_id,
        occurred_at=when,
        merchant="stripe",
        source="payment_link" if session.get("payment_link") else "checkout",
        buyer=_buyer(session),
        lookup_ref=session_id,
        payment_ref=_id_of(session.get("payment_intent")),
        checkout_ref=session_id,
        language=_locale(session),
    )


def _locale(session: dict[str, Any]) -> str:
    """The language Checkout spoke to the buyer; "" for "auto", which names none."""
    locale = session.get("locale")
    return locale if isinstance(locale, str) and locale != "auto" else ""


def _buyer(session: dict[str, Any]) -> Buyer:
    details = session.get("customer_details")
    details = details if isinstance(details, dict) else {}
    email = details.get("email") or session.get("customer_email")
    if not isinstance(email, str) or not email.strip():
        raise EventError("data.object.customer_details.email is missing")
    name = details.get("name")
    try:
        return Buyer(name=name if isinstance(name, str) else "", email=email)
    except ContractError as exc:
        raise EventError(f"customer_details.email is not an email address ({exc})") from None


def _refunded(charge: dict[str, Any], event_id: str, when: str) -> Event:
    amount, refunded = charge.get("amount"), charge.get("amount_refunded")
    if type(amount) is not int or type(refunded) is not int:
        raise EventError("data.object.amount and amount_refunded must be integers")
    if refunded < amount:
        note = (
            f"partial refund of {charge.get('payment_intent') or charge.get('id', '?')} "
            f"({refunded} of {amount}): the copies stay valid"
        )
        return Ignored(event_type="charge.refunded", event_id=event_id, note=note)
    return _revoked("charge.refunded", charge, event_id, when, "refund")


def _revoked(kind: str, obj: dict[str, Any], event_id: str, when: str, reason: str) -> Event:
    payment = _id_of(obj.get("payment_intent"))
    if not payment:
        return _no_payment(kind, obj, event_id)
    return PaymentRevoked(
        merchant="stripe", payment_ref=payment, event_id=event_id, occurred_at=when, reason=reason
    )


def _dispute_closed(dispute: dict[str, Any], event_id: str, when: str) -> Event:
    status = dispute.get("status")
    if status != "won":
        note = f"dispute {dispute.get('id', '?')} closed {status!r}: the order stays revoked"
        return Ignored(event_type="charge.dispute.closed", event_id=event_id, note=note)
    payment = _id_of(dispute.get("payment_intent"))
    if not payment:
        return _no_payment("charge.dispute.closed", dispute, event_id)
    return PaymentRestored(
        merchant="stripe",
        payment_ref=payment,
        event_id=event_id,
        occurred_at=when,
        reason="dispute_won",
    )


def _no_payment(kind: str, obj: dict[str, Any], event_id: str) -> Ignored:
    """A charge without a PaymentIntent was not made by Checkout: no order of ours."""
    note = f"{obj.get('id', '?')} names no payment_intent: not a Checkout sale"
    return Ignored(event_type=kind, event_id=event_id, note=note)


def _id_of(value: object) -> str:
    """An expandable field's id: the string itself, or the expanded object's `id`."""
    if isinstance(value, dict):
        value = value.get("id")
    return value.strip() if isinstance(value, str) else ""


def _occurred_at(payload: dict[str, Any]) -> str:
    """The event's `created` (unix seconds) as RFC 3339, as Paddle's occurred_at reads."""
    created = payload.get("created")
    if type(created) is not int or not 0 <= created < 253402300800:  # before year 10000
        raise EventError("created is not unix seconds")
    when = datetime.fromtimestamp(created, UTC)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: dict[str, Any], key: str, where: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{where} is missing or blank")
    return value.strip()
