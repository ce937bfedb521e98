"""Paddle Classic notifications: RSA signature check and event parsing, both pure.

Classic posts form fields plus `p_signature`: base64 of an RSA PKCS#1 v1.5
SHA-1 signature over PHP `serialize()` of the other fields, sorted by key, every
value a string. We rebuild those bytes exactly (lengths in UTF-8 bytes, blank
values kept), so the route must hand us the form as posted. Alerts
(`payment_succeeded`, `payment_refunded`, `payment_dispute_created`,
`payment_dispute_closed`) carry `alert_name`; the product fulfilment webhook
carries `p_*` fields and no `alert_name`. payment_succeeded always names the
buyer; the fulfilment webhook sends `email` and `customer_name` only when the
author ticked them in the product's webhook editor, so without them its
OrderPaid carries no buyer and the worker keeps the order until the
payment_succeeded alert of the same order names one. Neither names the buyer's language
(developer.paddle.com/webhook-reference: payment_succeeded and the fulfilment webhook
carry a `country`/`p_country`, which is not one), so Classic orders have none. A dispute
revokes like a chargeback; Paddle sends payment_dispute_closed when it contested the dispute
and won, which restores the order. Needs no permissions; the public key comes
from settings (PEM text or a path).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from common.merchants._events import Event, EventError, Ignored, SignatureError
from common.merchants._port import WebhookRequest
from common.messages import Buyer, ContractError, OrderPaid, OrderRestored, OrderRevoked
from common.settings import Settings

SIGNATURE_FIELD = "p_signature"


@dataclass(frozen=True)
class PaddleClassic:
    """Paddle Classic's alerts and fulfilment webhook, at /webhooks/paddle-classic (form posts).

    Paddle shows the buyer our answer to a fulfilment webhook (on the checkout's
    success screen and in the receipt, as it would a licence key), so `reply` is
    one plain sentence in the shop's name, the address masked.
    """

    public_key: RSAPublicKey
    name: ClassVar[str] = "paddle-classic"
    prefix: ClassVar[str] = "paddle"
    content_types: ClassVar[tuple[str, ...]] = ("application/x-www-form-urlencoded",)

    @classmethod
    def from_settings(cls, settings: Settings) -> PaddleClassic | None:
        """On when PADDLE_PUBLIC_KEY is set."""
        if not settings.paddle_public_key:
            return None
        return cls(load_public_key(settings.paddle_public_key))

    def verify(self, request: WebhookRequest) -> None:
        verify_classic(request.form, self.public_key)

    def parse(self, request: WebhookRequest) -> Event:
        return parse_classic_event(request.form)

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        if not is_fulfilment(request.form) or not isinstance(event, OrderPaid):
            return None
        if event.buyer is None:
            where = "the address you gave at checkout"
        else:
            local, _, domain = event.buyer.email.rpartition("@")
            where = f"{local[:1]}…@{domain}"
        return f"Thank you for your order from {shop}. Your personal copy is on its way to {where}."


def load_public_key(text_or_path: str) -> RSAPublicKey:
    """Load Paddle's RSA public key from PEM text or from a file holding it."""
    text = text_or_path.strip()
    if "-----BEGIN" not in text:
        try:
            text = Path(text).read_text()
        except (OSError, ValueError) as exc:
            raise ValueError(f"public key is neither PEM text nor a readable file: {exc}") from None
    # Secret managers and .env files often flatten the PEM's newlines to "\n".
    pem = text.replace("\\n", "\n").strip().encode()
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"public key is not a valid PEM public key: {exc}") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("public key is not an RSA key")
    return key


def php_serialize(fields: Mapping[str, str]) -> bytes:
    """PHP serialize() of the key-sorted fields without p_signature, as Paddle signs them."""
    # Python sorts str by code point, which is the byte order of their UTF-8
    # encodings, so this matches PHP's ksort() for the string keys Paddle sends.
    items = sorted((k, v) for k, v in fields.items() if k != SIGNATURE_FIELD)
    out = [f"a:{len(items)}:{{".encode()]
    for key, value in items:
        out.append(_php_string(key))
        out.append(_php_string(str(value)))
    out.append(b"}")
    return b"".join(out)


def _php_string(text: str) -> bytes:
    raw = text.encode()
    return b's:%d:"%s";' % (len(raw), raw)


def sign_classic(fields: Mapping[str, str], private_key: RSAPrivateKey) -> str:
    """Return the p_signature Paddle would send for these fields."""
    signature = private_key.sign(php_serialize(fields), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    return base64.b64encode(signature).decode()


def verify_classic(fields: Mapping[str, str], public_key: RSAPublicKey) -> None:
    """Raise SignatureError unless p_signature proves Paddle sent exactly these fields."""
    encoded = fields.get(SIGNATURE_FIELD)
    if encoded is None:
        raise SignatureError("missing p_signature")
    if not encoded:
        raise SignatureError("empty p_signature")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("p_signature is not base64") from None
    try:
        data = php_serialize(fields)
    except UnicodeEncodeError:
        raise SignatureError("fields are not valid UTF-8") from None
    try:
        # SHA-1 is Paddle Classic's fixed choice, not ours.
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    except InvalidSignature:
        raise SignatureError("signature does not match") from None


def parse_classic_event(fields: Mapping[str, str]) -> Event:
    """Read verified Classic fields as OrderPaid, OrderRevoked, OrderRestored or Ignored."""
    try:
        return _event(fields)
    except ContractError as exc:  # signed, but holding what cannot travel
        raise EventError(str(exc)) from None


def is_fulfilment(fields: Mapping[str, str]) -> bool:
    """The product fulfilment webhook, whose answer Paddle shows the buyer."""
    return "alert_name" not in fields and "p_order_id" in fields


def _event(fields: Mapping[str, str]) -> Event:
    alert = fields.get("alert_name")
    if alert is None:
        if "p_order_id" in fields:
            return _fulfilment(fields)
        raise EventError("neither alert_name nor p_order_id: not a Paddle Classic webhook")
    if alert == "payment_succeeded":
        return _payment_succeeded(fields)
    if alert == "payment_refunded":
        return _payment_refunded(fields)
    if alert == "payment_dispute_created":
        return _dispute_created(fields)
    if alert == "payment_dispute_closed":
        return _dispute_closed(fields)
    return Ignored(event_type=alert or "(blank alert_name)", event_id=fields.get("alert_id", ""))


def _payment_succeeded(fields: Mapping[str, str]) -> OrderPaid:
    return OrderPaid(
        order_id=_text(fields, "order_id"),
        product_ids=(f"paddle:{_text(fields, 'product_id')}",),
        merchant="paddle",
        event_id=_text(fields, "alert_id"),
        occurred_at=_occurred_at(fields),
        source="classic",
        buyer=_buyer(fields, "customer_name"),
    )


def _fulfilment(fields: Mapping[str, str]) -> OrderPaid:
    order_id = _text(fields, "p_order_id")
    return OrderPaid(
        order_id=order_id,
        product_ids=(f"paddle:{_text(fields, 'p_product_id')}",),
        merchant="paddle",
        # The fulfilment webhook has no alert_id; Paddle sends one per order.
        event_id=f"fulfilment:{order_id}",
        occurred_at=_occurred_at(fields),
        source="classic",
        buyer=_buyer(fields, "customer_name") if fields.get("email", "").strip() else None,
    )


def _payment_refunded(fields: Mapping[str, str]) -> Event:
    event_id = _text(fields, "alert_id")
    # Only a full refund takes the book back: a partial (goodwill) or VAT-only
    # refund leaves the buyer with it, so the links stay valid.
    refund_type = fields.get("refund_type", "full")
    if refund_type != "full":
        note = f"{refund_type} refund of {fields.get('order_id', '?')}: the copies stay valid"
        return Ignored(event_type="payment_refunded", event_id=event_id, note=note)
    return OrderRevoked(
        order_id=_text(fields, "order_id"),
        event_id=event_id,
        occurred_at=_occurred_at(fields),
        reason="refund",
    )


def _dispute_created(fields: Mapping[str, str]) -> OrderRevoked:
    return OrderRevoked(
        order_id=_text(fields, "order_id"),
        event_id=_text(fields, "alert_id"),
        occurred_at=_occurred_at(fields),
        reason="chargeback",
    )


def _dispute_closed(fields: Mapping[str, str]) -> Event:
    event_id = _text(fields, "alert_id")
    status = fields.get("status", "closed").strip()  # Paddle's statuses: open, closed
    if status != "closed":
        note = f"dispute of {fields.get('order_id', '?')} is {status!r}: nothing to restore"
        return Ignored(event_type="payment_dispute_closed", event_id=event_id, note=note)
    return OrderRestored(
        order_id=_text(fields, "order_id"),
        event_id=event_id,
        occurred_at=_occurred_at(fields),
        reason="dispute_won",
    )


def _buyer(fields: Mapping[str, str], name_field: str) -> Buyer:
    email = _text(fields, "email")
    try:
        # Paddle leaves the name blank for Apple Pay, wire transfers and the like:
        # Buyer then names the copy by the email.
        return Buyer(name=fields.get(name_field, ""), email=email)
    except ContractError as exc:
        raise EventError(f"email is not an email address ({exc})") from None


def _occurred_at(fields: Mapping[str, str]) -> str:
    """Classic's `event_time` ("2024-05-01 12:00:00", UTC) as RFC 3339, like Billing's."""
    raw = _text(fields, "event_time")
    try:
        when = datetime.fromisoformat(raw)
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset pushing year 1 below the range
        raise EventError("event_time is not a date and time") from None
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(fields: Mapping[str, str], key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{key} is missing or blank")
    return value.strip()
