"""The message contract between service/ and worker/: the message set and its wire format.

Messages are past-tense events serialised as versioned JSON. The same bytes
travel in a Pub/Sub message (cloud) or in a locally built push envelope
(embedded), so the worker decodes one shape whichever publisher sent it.
Attributes carry type, version and the idempotency key so an operator can
filter the dead-letter subscription without decoding bodies. The messages
themselves live by kind in _purchase.py, _refund.py (refunds and chargebacks,
by order or, for Stripe, by payment) and _requests.py; this module names them
all, so callers import from here (mail events: _mail_events.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from common.messages._fields import READ_VERSIONS, VERSION, ContractError, now_iso
from common.messages._mail_events import MailEvent, MailEventsReported, mail_events_of
from common.messages._purchase import Buyer, OrderPaid, PaidItem
from common.messages._refund import (
    ItemsRefunded,
    OrderRestored,
    OrderRevoked,
    PaymentRestored,
    PaymentRevoked,
)
from common.messages._requests import (
    CopyRequested,
    EditionReissued,
    ErasureRequested,
    KindleRequested,
    LinksRequested,
    ResendRequested,
)

__all__ = [
    "VERSION",
    "Buyer",
    "ContractError",
    "CopyRequested",
    "EditionReissued",
    "ErasureRequested",
    "ItemsRefunded",
    "KindleRequested",
    "LinksRequested",
    "MailEvent",
    "MailEventsReported",
    "Message",
    "OrderPaid",
    "OrderRestored",
    "OrderRevoked",
    "PaidItem",
    "PaymentRestored",
    "PaymentRevoked",
    "ResendRequested",
    "decode",
    "encode",
    "now_iso",
]

Message = (
    OrderPaid
    | OrderRevoked
    | ItemsRefunded
    | OrderRestored
    | CopyRequested
    | LinksRequested
    | ResendRequested
    | EditionReissued
    | PaymentRevoked
    | PaymentRestored
    | MailEventsReported
    | ErasureRequested
    | KindleRequested
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
        PaymentRevoked,
        PaymentRestored,
        MailEventsReported,
        ErasureRequested,
        KindleRequested,
    )
}


def encode(message: Message) -> bytes:
    """Serialise a message to the JSON bytes carried as Pub/Sub data."""
    body: dict[str, Any] = {"type": message.TYPE, **asdict(message)}
    for added in ("checkout_ref", "language"):
        if body.get(added) == "":
            # Added within version 2: a worker of before it refuses a field it does not know,
            # so a sale (or a links request) without one is sent as such a worker would
            # read it (while a deploy rolls, the service may be new and the worker old).
            del body[added]
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
    if body.get("version") not in READ_VERSIONS:
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
        if body["version"] == 1:  # Paddle's alone, unqualified ids
            body = _paid_from_v1(body)
        body["product_ids"] = tuple(_list(body["product_ids"], "product_ids"))
        buyer = body.get("buyer")
        body["buyer"] = Buyer(**buyer) if buyer else None
        items = body.get("items", [])  # messages from before Billing items carry none
        body["items"] = tuple(
            PaidItem(i["item_id"], tuple(_list(i["product_ids"], "product_ids")))
            for i in _list(items, "items")
        )
    body["version"] = VERSION
    if kind is ItemsRefunded:
        body["item_ids"] = tuple(_list(body["item_ids"], "item_ids"))
    if kind is MailEventsReported:
        body["events"] = mail_events_of(body)
    return body


def _paid_from_v1(body: dict[str, Any]) -> dict[str, Any]:
    """An order.paid of version 1 (Paddle only) as version 2 says it."""

    def paddle(ids: object, what: str) -> list[str]:
        return [f"paddle:{i}" for i in _list(ids, what)]

    body["product_ids"] = paddle(body.pop("paddle_ids"), "paddle_ids")
    body["merchant"] = "paddle"
    body["items"] = [
        {"item_id": i["item_id"], "product_ids": paddle(i["paddle_ids"], "paddle_ids")}
        for i in _list(body.get("items", []), "items")
    ]
    return body


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContractError(f"{what} must be a list")
    return value
