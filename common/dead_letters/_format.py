"""The shapes a dead letter is kept in, written and read back as one `Letter`.

Written by `format_letter` (the service's and the worker's letters: kind,
key, reason, time and the payload: the message, or the push envelope), and by
the local push publisher (the bare push envelope with `deadLetterReason`).
`parse_letter` reads every shape; what holds no message is listed but not
replayable. Pure: bytes in, values out.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from common.logging import mask_email
from common.messages import ContractError, KindleRequested, decode, now_iso


@dataclass(frozen=True)
class Letter:
    id: str  # what `exlibris replay` takes
    kind: str  # unknown-product, a message type the worker gave up on, undelivered, ...
    order_id: str
    reason: str
    at: str
    origin: str  # service, worker, publisher (local push) or pubsub
    data: bytes | None = None  # the contract message to send again; None if there is none

    @property
    def replayable(self) -> bool:
        return self.data is not None


def format_letter(kind: str, key: str, reason: str, payload: dict[str, Any]) -> tuple[str, bytes]:
    """A letter's file name (time first, so names sort by age) and its JSON."""
    safe_key = re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:80] or "unknown"
    name = f"{time.time_ns()}-{kind}-{safe_key}.json"
    payload = redacted(payload)
    body = {"kind": kind, "key": key, "reason": reason, "at": now_iso(), "payload": payload}
    return name, json.dumps(body, ensure_ascii=False, indent=1, default=str).encode()


def redacted(payload: dict[str, Any]) -> dict[str, Any]:
    """What a letter may keep of a payload: a Kindle request without its address.

    Issue 23 keeps a buyer's Kindle address nowhere but masked in the mail's log entry,
    so a request the worker gave up on keeps the order and the file, the address masked,
    and nothing to replay: the buyer sends again from the download page. Every other
    message is kept whole, to be replayed.
    """
    data = _message_data(payload)
    try:
        message = decode(data) if data is not None else None
    except ContractError:
        return payload
    if not isinstance(message, KindleRequested):
        return payload
    kept = {
        "order_id": message.order_id,
        "file_index": message.file_index,
        "kindle_email": mask_email(message.kindle_email),
        "note": "a Kindle request keeps no address: the buyer sends again from the download page",
    }
    envelope = _dict(payload.get("message"))
    times = {k: envelope[k] for k in ("messageId", "publishTime") if k in envelope}
    return {**payload, "message": {**times, "kindle_request": kept}}


def parse_letter(letter_id: str, raw: bytes) -> Letter:
    """Read any of the shapes a letter is kept in; an unreadable one is listed, not replayable."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        return Letter(letter_id, "unreadable", "", "the letter is not JSON", "", "unknown")
    if "kind" in body:  # written by record(): the service's or the worker's
        payload = _dict(body.get("payload"))
        kind = str(body["kind"])
        data = _message_data(payload)
        origin = "service" if kind == "unknown-product" else "worker"
        fallback = str(body.get("key", "")) if kind == "unknown-product" else ""
        reason, at = str(body.get("reason", "")), str(body.get("at", ""))
    else:  # a push envelope the local publisher could not deliver
        payload = body
        data = _message_data(body)
        kind, origin, fallback = "undelivered", "publisher", ""
        reason = str(body.get("deadLetterReason", "delivery attempts exhausted"))
        at = str(_dict(body.get("message")).get("publishTime", ""))
    kindle = _dict(_dict(payload.get("message")).get("kindle_request"))  # redacted()
    fallback = fallback or str(kindle.get("order_id", ""))
    return Letter(letter_id, kind, order_of(data) or fallback, reason, at, origin, data)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _message_data(payload: dict[str, Any]) -> bytes | None:
    """The contract bytes in a letter: a push envelope's data, or a message object."""
    message = payload.get("message")
    if not isinstance(message, dict):
        return None
    if "type" in message:
        return json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
    try:
        return base64.b64decode(str(message.get("data", "")), validate=True) or None
    except (binascii.Error, ValueError):
        return None


def order_of(data: bytes | None) -> str:
    """The order a letter's message is about; "" when it names none."""
    if data is None:
        return ""
    try:
        return str(getattr(decode(data), "order_id", ""))
    except ContractError:
        return ""
