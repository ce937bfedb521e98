"""The message contract between service/ and worker/.

Messages are past-tense events serialised as versioned JSON. The same bytes
travel in a Pub/Sub message (cloud) or in a locally built push envelope
(embedded), so the worker decodes one shape whichever publisher sent it.
Attributes carry type, version and the idempotency key so an operator can
filter the dead-letter subscription without decoding bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from common.buyer_data import BuyerDataError, clean_id, clean_name, parse_email

VERSION = 1


class ContractError(ValueError):
    """A message or push envelope does not match the contract; retrying cannot fix it."""


def _checked(clean: Callable[..., str], value: object, *args: str) -> str:
    try:
        return clean(value, *args)
    except BuyerDataError as exc:
        raise ContractError(str(exc)) from None


def _ids(message: object, *names: str) -> None:
    """Check and strip the id fields of a frozen message in place."""
    for name in names:
        object.__setattr__(message, name, _checked(clean_id, getattr(message, name), name))


def _id_tuple(values: object, what: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not values:
        raise ContractError(f"{what} must be a non-empty list")
    return tuple(_checked(clean_id, v, what) for v in values)


@dataclass(frozen=True)
class Buyer:
    """Who a copy is for; normalised here, so every adapter receives safe text."""

    name: str
    email: str

    def __post_init__(self) -> None:
        email = _checked(parse_email, self.email)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "name", _checked(clean_name, self.name) or email)


@dataclass(frozen=True)
class PaidItem:
    """One line of a Billing transaction: the id refunds name it by, and what it sold."""

    item_id: str
    paddle_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        _ids(self, "item_id")
        object.__setattr__(self, "paddle_ids", _id_tuple(self.paddle_ids, "paddle_ids"))


@dataclass(frozen=True)
class OrderPaid:
    """A purchase was paid: stamp and deliver the products bought."""

    TYPE: ClassVar[str] = "order.paid"
    order_id: str
    paddle_ids: tuple[str, ...]
    event_id: str
    occurred_at: str
    source: str  # "billing" or "classic"
    # Classic carries the buyer; Billing leaves it to the worker (customer_id); a Classic
    # fulfilment webhook without the email fields carries neither and waits for its alert.
    buyer: Buyer | None = None
    customer_id: str | None = None  # Billing: resolve through the customer-lookup port
    items: tuple[PaidItem, ...] = ()  # Billing: so a refund of one item revokes its files only
    version: int = VERSION

    def __post_init__(self) -> None:
        _ids(self, "order_id", "event_id", "occurred_at")
        object.__setattr__(self, "paddle_ids", _id_tuple(self.paddle_ids, "paddle_ids"))
        if self.source not in ("billing", "classic"):
            raise ContractError("source must be billing or classic")
        if self.buyer is not None and not isinstance(self.buyer, Buyer):
            raise ContractError("buyer must be a name and an email")
        if self.customer_id == "":
            object.__setattr__(self, "customer_id", None)
        elif self.customer_id is not None:
            _ids(self, "customer_id")
        if not self.buyer and not self.customer_id and self.source != "classic":
            raise ContractError("order.paid names neither a buyer nor a customer id")
        if not all(isinstance(i, PaidItem) for i in self.items):
            raise ContractError("items must be paid items")
        object.__setattr__(self, "items", tuple(self.items))

    @property
    def idempotency_key(self) -> str:
        return f"paid:{self.order_id}"


@dataclass(frozen=True)
class OrderRevoked:
    """A refund or chargeback of the whole order: delete the copies and refuse the links."""

    TYPE: ClassVar[str] = "order.revoked"
    order_id: str
    event_id: str
    occurred_at: str
    reason: str
    revoked_by: str = "paddle"  # who took it back: Paddle (refund, chargeback) or the author
    version: int = VERSION

    def __post_init__(self) -> None:
        _ids(self, "order_id", "event_id", "occurred_at", "reason")

    @property
    def idempotency_key(self) -> str:
        return f"revoked:{self.order_id}"


@dataclass(frozen=True)
class ItemsRefunded:
    """Some items of an order were refunded in full: revoke their files, keep the rest."""

    TYPE: ClassVar[str] = "items.refunded"
    order_id: str
    item_ids: tuple[str, ...]
    event_id: str
    occurred_at: str
    reason: str
    version: int = VERSION

    def __post_init__(self) -> None:
        _ids(self, "order_id", "event_id", "occurred_at", "reason")
        object.__setattr__(self, "item_ids", _id_tuple(self.item_ids, "item_ids"))

    @property
    def idempotency_key(self) -> str:
        return f"refunded:{self.order_id}:{self.event_id}"


@dataclass(frozen=True)
class OrderRestored:
    """A chargeback was reversed (the dispute was won): the buyer may download again."""

    TYPE: ClassVar[str] = "order.restored"
    order_id: str
    event_id: str
    occurred_at: str
    reason: str
    version: int = VERSION

    def __post_init__(self) -> None:
        _ids(self, "order_id", "event_id", "occurred_at", "reason")

    @property
    def idempotency_key(self) -> str:
        return f"restored:{self.order_id}:{self.event_id}"


@dataclass(frozen=True)
class CopyRequested:
    """A buyer wants a copy the bucket's lifecycle rule deleted: stamp it again."""

    TYPE: ClassVar[str] = "copy.requested"
    order_id: str
    file_index: int
    request_id: str
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        _ids(self, "order_id", "request_id", "occurred_at")
        index = self.file_index
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 1000:
            raise ContractError("file_index must be a small non-negative integer")

    @property
    def idempotency_key(self) -> str:
        return f"copy:{self.order_id}:{self.file_index}"


@dataclass(frozen=True)
class LinksRequested:
    """A buyer asked for fresh links; they go to this address only."""

    TYPE: ClassVar[str] = "links.requested"
    email: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _checked(parse_email, self.email))
        _ids(self, "request_id", "occurred_at")

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

    def __post_init__(self) -> None:
        _ids(self, "order_id", "request_id", "occurred_at")

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

    def __post_init__(self) -> None:
        _ids(self, "order_id", "product", "edition", "request_id", "occurred_at")

    @property
    def idempotency_key(self) -> str:
        return f"reissue:{self.product}:{self.edition}:{self.order_id}"


Message = (
    OrderPaid
    | OrderRevoked
    | ItemsRefunded
    | OrderRestored
    | CopyRequested
    | LinksRequested
    | ResendRequested
    | EditionReissued
)
_TYPES: dict[str, type[Message]] = {
    t.TYPE: t
    for t in (
        OrderPaid,
        OrderRevoked,
        ItemsRefunded,
        OrderRestored,
        CopyRequested,
        LinksRequested,
        ResendRequested,
        EditionReissued,
    )
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def encode(message: Message) -> bytes:
    """Serialise a message to the JSON bytes carried as Pub/Sub data."""
    body: dict[str, Any] = {"type": message.TYPE, **asdict(message)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def decode(data: bytes) -> Message:
    """Parse message bytes, or raise ContractError naming what is wrong."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ContractError(f"message data is not JSON: {type(exc).__name__}") from None
    if not isinstance(body, dict):
        raise ContractError("message data is not a JSON object")
    name = body.pop("type", None)
    kind = _TYPES.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ContractError("unknown message type")
    if body.get("version") != VERSION:
        raise ContractError(f"unsupported version {body.get('version')!r} of {kind.TYPE}")
    try:
        return kind(**_typed(kind, body))
    except (TypeError, KeyError, ValueError) as exc:
        if isinstance(exc, ContractError):
            raise
        raise ContractError(f"{kind.TYPE} fields do not match the contract: {exc}") from None


def _typed(kind: type[Message], body: dict[str, Any]) -> dict[str, Any]:
    """JSON lists and objects back into the tuples and values the message holds."""
    if kind is OrderPaid:
        body["paddle_ids"] = tuple(_list(body["paddle_ids"], "paddle_ids"))
        buyer = body.get("buyer")
        body["buyer"] = Buyer(**buyer) if buyer else None
        items = body.get("items", [])  # messages from before Billing items carry none
        body["items"] = tuple(
            PaidItem(i["item_id"], tuple(_list(i["paddle_ids"], "paddle_ids")))
            for i in _list(items, "items")
        )
    if kind is ItemsRefunded:
        body["item_ids"] = tuple(_list(body["item_ids"], "item_ids"))
    return body


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContractError(f"{what} must be a list")
    return value
