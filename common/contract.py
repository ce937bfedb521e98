"""The message contract between service/ and worker/.

Messages are past-tense events serialised as versioned JSON. The same bytes
travel in a Pub/Sub message (cloud) or in a locally built push envelope
(embedded), so the worker decodes one shape whichever publisher sent it.
Attributes carry type, version and the idempotency key so an operator can
filter the dead-letter subscription without decoding bodies.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

VERSION = 1


class ContractError(ValueError):
    """A message or push envelope does not match the contract; retrying cannot fix it."""


@dataclass(frozen=True)
class Buyer:
    name: str
    email: str


@dataclass(frozen=True)
class OrderPaid:
    """A purchase was paid: stamp and deliver the products bought."""

    TYPE: ClassVar[str] = "order.paid"
    order_id: str
    paddle_ids: tuple[str, ...]
    event_id: str
    occurred_at: str
    source: str  # "billing" or "classic"
    buyer: Buyer | None = None  # Classic carries it; Billing leaves it to the worker
    customer_id: str | None = None  # Billing: resolve through the customer-lookup port
    version: int = VERSION

    @property
    def idempotency_key(self) -> str:
        return f"paid:{self.order_id}"


@dataclass(frozen=True)
class OrderRevoked:
    """A refund or chargeback: delete the copy and refuse its links."""

    TYPE: ClassVar[str] = "order.revoked"
    order_id: str
    event_id: str
    occurred_at: str
    reason: str
    revoked_by: str = "paddle"  # who took it back: Paddle (refund, chargeback) or the author
    version: int = VERSION

    @property
    def idempotency_key(self) -> str:
        return f"revoked:{self.order_id}"


@dataclass(frozen=True)
class LinksRequested:
    """A buyer asked for fresh links; they go to this address only."""

    TYPE: ClassVar[str] = "links.requested"
    email: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    @property
    def idempotency_key(self) -> str:
        return f"links:{self.request_id}"


@dataclass(frozen=True)
class ResendRequested:
    """The author asked to mail one order's links again, to the order's own address."""

    TYPE: ClassVar[str] = "order.resend-requested"
    order_id: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    @property
    def idempotency_key(self) -> str:
        return f"resend:{self.request_id}:{self.order_id}"


@dataclass(frozen=True)
class EditionReissued:
    """The author uploaded a new edition of a product: re-stamp this order's copies, mail once.

    `edition` names the originals' generations the console saw (common/reissues.py);
    the worker stamps from the current originals and marks this edition done.
    """

    TYPE: ClassVar[str] = "edition.reissued"
    order_id: str
    product: str
    edition: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    @property
    def idempotency_key(self) -> str:
        return f"reissue:{self.product}:{self.edition}:{self.order_id}"


Message = OrderPaid | OrderRevoked | LinksRequested | ResendRequested | EditionReissued
_TYPES: dict[str, type[Message]] = {
    t.TYPE: t for t in (OrderPaid, OrderRevoked, LinksRequested, ResendRequested, EditionReissued)
}


@dataclass(frozen=True)
class Envelope:
    """A Pub/Sub push request body, decoded."""

    message: Message
    message_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    delivery_attempt: int | None = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def attributes_of(message: Message) -> dict[str, str]:
    return {
        "type": message.TYPE,
        "version": str(message.version),
        "idempotency_key": message.idempotency_key,
    }


def encode(message: Message) -> bytes:
    """Serialise a message to the JSON bytes carried as Pub/Sub data."""
    body: dict[str, Any] = {"type": message.TYPE, **asdict(message)}
    if isinstance(message, OrderPaid):
        body["paddle_ids"] = list(message.paddle_ids)
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def decode(data: bytes) -> Message:
    """Parse message bytes, or raise ContractError naming what is wrong."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"message data is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ContractError("message data is not a JSON object")
    name = body.pop("type", None)
    kind = _TYPES.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ContractError("unknown message type")
    if body.get("version") != VERSION:
        raise ContractError(f"unsupported version {body.get('version')!r} of {kind.TYPE}")
    try:
        if kind is OrderPaid:
            body["paddle_ids"] = tuple(body["paddle_ids"])
            buyer = body.get("buyer")
            body["buyer"] = Buyer(**buyer) if buyer else None
            if not body["buyer"] and not body.get("customer_id"):
                raise ContractError("order.paid names neither a buyer nor a customer id")
        return kind(**body)
    except (TypeError, KeyError) as exc:
        raise ContractError(f"{kind.TYPE} fields do not match the contract: {exc}") from None


def push_envelope(message: Message, message_id: str, subscription: str) -> dict[str, Any]:
    """Build the JSON body Pub/Sub POSTs to a push endpoint."""
    return {
        "message": {
            "data": base64.b64encode(encode(message)).decode(),
            "attributes": attributes_of(message),
            "messageId": message_id,
            "message_id": message_id,
            "publishTime": now_iso(),
        },
        "subscription": subscription,
    }


def parse_envelope(body: Any) -> Envelope:
    """Decode a push request body, or raise ContractError."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise ContractError("push body has no message object")
    raw = body["message"]
    data = raw.get("data")
    if not isinstance(data, str):
        raise ContractError("push message has no data")
    try:
        decoded = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise ContractError("push message data is not base64") from None
    attempt = body.get("deliveryAttempt")
    return Envelope(
        message=decode(decoded),
        message_id=str(raw.get("messageId") or raw.get("message_id") or ""),
        attributes=dict(raw.get("attributes") or {}),
        delivery_attempt=attempt if isinstance(attempt, int) else None,
    )
