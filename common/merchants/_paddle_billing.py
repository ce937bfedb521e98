"""Paddle Billing notifications: signature check and event parsing, both pure.

Paddle signs `ts + ":" + raw body` with HMAC-SHA256 under the notification
destination's secret and sends `Paddle-Signature: ts=<unix>;h1=<hex>`; during a
secret rotation the header carries one h1 per live secret. We verify against
the bytes exactly as received (never re-serialised JSON), compare in constant
time and accept a timestamp only within ±tolerance seconds of `now`, so a
captured request cannot be replayed later. The buyer's name and email are not
in Billing payloads: OrderPaid carries the customer id and the worker asks the
Paddle API. It also carries the transaction's line items (`details.line_items`,
ids `txnitm_…`), because a refund names the items it refunds by those ids.
The buyer's language is not in a transaction either (PaddleHQ/paddle-python-sdk
paddle_billing/Notifications/Entities/Transaction.py has no locale); only the customer
entity holds one (`locale`, paddle_billing/Entities/Customer.py). The worker's customer
lookup does not read it: it defaults to "en" when nobody set it (the API's create-customer
`locale`, "optional, defaults to en", rdrr.io/cran/paddleR/man/paddle_create_customer.html),
so a default would overrule SHOP_LANGUAGE for every buyer of a German shop. A Billing
order has no language of its own and its mails speak SHOP_LANGUAGE.

The checkout reference (`checkout_ref`, the key to /thanks) is `data.custom_data.exlibris_ref`:
the shop's page passes `customData: {exlibris_ref: …}` to Paddle.Checkout.open() and the
same value in `settings.successUrl`; Paddle holds custom data against the transaction and
returns it as `custom_data` (developer.paddle.com/build/transactions/custom-data,
/paddlejs/methods/paddle-checkout-open; `custom_data` is "object or null" on the
transaction, developer.paddle.com/webhooks/transactions/transaction-created). The buyer's
browser wrote it, so a missing, odd or short one is dropped, never a refusal.

Refunds (developer.paddle.com, Adjustments): `type: full` refunds the whole
transaction and revokes the order. `type: partial` lists `items`, each with
its own type; the items refunded in full (one book of two, say) lose their
files and the rest stay; a refund of part of an item's price leaves the book
with the buyer. Only when the top-level type is missing (the API before
December 2024) do the items alone decide. A chargeback revokes the whole
order; an approved `chargeback_reverse` restores it. Needs no permissions; the
secrets come from settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from common.merchants._events import Event, EventError, Ignored
from common.merchants._hmac import TimestampedHeader, check_signatures, check_window, hmac_sha256
from common.merchants._json_fields import custom_ref, load_object, object_field, text_field
from common.merchants._port import WebhookRequest
from common.messages import (
    ContractError,
    ItemsRefunded,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
)
from common.settings import Settings

_HEADER = TimestampedHeader("Paddle-Signature", ";", timestamp="ts", signature="h1")

# Paddle's adjustment actions that take the money back. `chargeback_warning`
# is only a warning (Paddle may refund it, which arrives as a refund); of the
# `*_reverse` actions, which give the money back to the seller, only
# `chargeback_reverse` undoes a revocation of ours.
_REVOKING_ACTIONS = frozenset({"refund", "chargeback"})


@dataclass(frozen=True)
class PaddleBilling:
    """Paddle Billing's notifications, at /webhooks/paddle (JSON, `Paddle-Signature`)."""

    secrets: tuple[str, ...]
    tolerance: int = 300
    name: ClassVar[str] = "paddle"
    prefix: ClassVar[str] = "paddle"
    content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    @classmethod
    def from_settings(cls, settings: Settings) -> PaddleBilling | None:
        """On when PADDLE_WEBHOOK_SECRET is set."""
        if not settings.paddle_webhook_secrets:
            return None
        return cls(settings.paddle_webhook_secrets, settings.paddle_signature_tolerance)

    def verify(self, request: WebhookRequest) -> None:
        header = request.header("Paddle-Signature")
        verify_billing(
            header, request.body, self.secrets, now=request.now, tolerance=self.tolerance
        )

    def parse(self, request: WebhookRequest) -> Event:
        return parse_billing_event(request.body)

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        return None  # Paddle Billing shows the buyer nothing of our answer


def sign_billing(body: bytes, secret: str, ts: int) -> str:
    """Return the Paddle-Signature header value Paddle would send for this body."""
    return f"ts={ts};h1={hmac_sha256(secret, _signed(str(ts), body)).hex()}"


def verify_billing(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance: int = 300,
) -> None:
    """Raise SignatureError unless `header` proves Paddle sent `body` within the window."""
    ts, signatures = _HEADER.parse(header)
    check_window(ts, now=now, tolerance=tolerance)
    check_signatures(signatures, secrets, _signed(ts, body))


def _signed(ts: str, body: bytes) -> bytes:
    return ts.encode() + b":" + body


def parse_billing_event(body: bytes) -> Event:
    """Read a verified Billing notification body as one of our messages, or Ignored."""
    payload = load_object(body)
    try:
        return _event(payload)
    except ContractError as exc:  # signed, but holding what cannot travel (a lone surrogate)
        raise EventError(str(exc)) from None


def _event(payload: dict[str, Any]) -> Event:
    event_type = text_field(payload, "event_type", "event_type")
    event_id = text_field(payload, "event_id", "event_id")
    if event_type == "transaction.completed":
        return _paid(payload, event_id)
    if event_type in ("adjustment.created", "adjustment.updated"):
        return _revoked(payload, event_type, event_id)
    return Ignored(event_type=event_type, event_id=event_id)


def _paid(payload: dict[str, Any], event_id: str) -> OrderPaid:
    data = object_field(payload, "data", "data")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise EventError("data.items is missing or empty")
    ids: dict[str, None] = {}  # ordered and de-duplicated
    for n, item in enumerate(items):
        price = object_field(item, "price", f"data.items[{n}].price")
        ids[text_field(price, "id", f"data.items[{n}].price.id")] = None
        ids[text_field(price, "product_id", f"data.items[{n}].price.product_id")] = None
    return OrderPaid(
        order_id=text_field(data, "id", "data.id"),
        product_ids=tuple(f"paddle:{i}" for i in ids),
        event_id=event_id,
        occurred_at=text_field(payload, "occurred_at", "occurred_at"),
        merchant="paddle",
        source="billing",
        customer_id=text_field(data, "customer_id", "data.customer_id"),
        items=_line_items(data),
        checkout_ref=custom_ref(data.get("custom_data")),
    )


def _line_items(data: dict[str, Any]) -> tuple[PaidItem, ...]:
    """details.line_items as (item id, price and product ids); () when Paddle sent none."""
    details = data.get("details")
    lines = details.get("line_items") if isinstance(details, dict) else None
    if not isinstance(lines, list):
        return ()
    items = []
    for n, line in enumerate(lines):
        where = f"data.details.line_items[{n}]"
        product = line.get("product") if isinstance(line, dict) else None
        product_id = product.get("id") if isinstance(product, dict) else None
        ids = [text_field(line, "price_id", f"{where}.price_id")]
        ids += [product_id] if isinstance(product_id, str) and product_id else []
        items.append(
            PaidItem(text_field(line, "id", f"{where}.id"), tuple(f"paddle:{i}" for i in ids))
        )
    return tuple(items)


def _revoked(payload: dict[str, Any], event_type: str, event_id: str) -> Event:
    data = object_field(payload, "data", "data")
    action = text_field(data, "action", "data.action")
    status = text_field(data, "status", "data.status")
    transaction_id = text_field(data, "transaction_id", "data.transaction_id")
    occurred_at = text_field(payload, "occurred_at", "occurred_at")
    if status != "approved":
        return Ignored(event_type=event_type, event_id=event_id)
    if action == "chargeback_reverse":
        return OrderRestored(transaction_id, event_id, occurred_at, reason=action)
    if action not in _REVOKING_ACTIONS:
        return Ignored(event_type=event_type, event_id=event_id)
    if action == "chargeback" or data.get("type") == "full":
        return OrderRevoked(transaction_id, event_id, occurred_at, reason=action)
    refunded = _items_refunded_in_full(data)
    if not refunded:
        note = f"partial refund of {transaction_id}: the copies stay valid"
        return Ignored(event_type=event_type, event_id=event_id, note=note)
    return ItemsRefunded(transaction_id, refunded, event_id, occurred_at, reason=action)


def _items_refunded_in_full(data: dict[str, Any]) -> tuple[str, ...]:
    """The transaction items a partial refund (or one without a type) gave back in full.

    A refund of part of an item's price (goodwill, a tax correction) leaves the
    buyer with the book, so only `full` items lose their files.
    """
    items = data.get("items")
    if not isinstance(items, list):
        return ()
    return tuple(
        text_field(item, "item_id", f"data.items[{n}].item_id")
        for n, item in enumerate(items)
        if isinstance(item, dict) and item.get("type") == "full"
    )
