"""The Pub/Sub push envelope: how a message travels to the worker, whichever publisher sent it.

The message body is the contract's JSON (common/contract.py), base64 in
`message.data`; attributes carry type, version and the idempotency key so an
operator can filter the dead-letter subscription without decoding bodies.
The embedded publisher builds the same envelope Pub/Sub POSTs, so the worker
decodes one shape.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from common.messages._codec import ContractError, Message, decode, encode, now_iso


@dataclass(frozen=True)
class Envelope:
    """A Pub/Sub push request body, decoded."""

    message: Message
    message_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    delivery_attempt: int | None = None


def attributes_of(message: Message) -> dict[str, str]:
    return {
        "type": message.TYPE,
        "version": str(message.version),
        "idempotency_key": message.idempotency_key,
    }


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
    attributes = raw.get("attributes") or {}
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        raise ContractError("push message attributes are not an object of strings")
    try:
        decoded = base64.b64decode(data, validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII character in the text
        raise ContractError("push message data is not base64") from None
    attempt = body.get("deliveryAttempt")
    message_id = raw.get("messageId") or raw.get("message_id") or ""
    return Envelope(
        message=decode(decoded),
        message_id=message_id if isinstance(message_id, str) else str(message_id),
        attributes=dict(attributes),
        delivery_attempt=attempt if type(attempt) is int else None,
    )
