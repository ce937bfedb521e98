"""Order records: the one source of truth for what happened to an order.

`orders/<order id>.json` in the delivery bucket. The worker creates it only if
absent and advances it only with a generation precondition, so concurrent
redeliveries agree on one history; the service reads it to check links and
counts downloads in it the same way. Two small indexes sit beside it:
`customers/<sha256 of the lower-cased email>/<order id>` (the re-send page)
and `codes/<serial>` (the stamp-code check).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from common.storage import NotFound, Storage

RECEIVED, STAMPED, MAILING, MAILED, REVOKED = "received", "stamped", "mailing", "mailed", "revoked"


@dataclass(frozen=True)
class DeliveredFile:
    source: str
    object_name: str
    filename: str
    stamped: bool


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    status: str
    title: str
    buyer_name: str
    buyer_email: str
    code: str
    created_at: str
    files: tuple[DeliveredFile, ...] = ()
    downloads: tuple[int, ...] = ()
    mail_id: str = ""
    mail_claimed_at: float = 0.0
    mailed_at: str = ""
    revoked_at: str = ""
    revoked_reason: str = ""

    def advanced(self, **changes: Any) -> OrderRecord:
        return replace(self, **changes)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> OrderRecord:
        """Parse a record; fields a newer version added are skipped (rolling deploys)."""
        known = {f.name for f in fields(cls)}
        raw = {k: v for k, v in json.loads(data).items() if k in known}
        raw["files"] = tuple(DeliveredFile(**f) for f in raw.get("files", ()))
        raw["downloads"] = tuple(raw.get("downloads", ()))
        return cls(**raw)


def record_name(order_id: str) -> str:
    return f"orders/{order_id}.json"


def customer_prefix(email: str) -> str:
    return f"customers/{hashlib.sha256(email.strip().lower().encode()).hexdigest()}/"


def code_name(serial: str) -> str:
    return f"codes/{serial}"


def load_record(storage: Storage, bucket: str, order_id: str) -> tuple[OrderRecord | None, int]:
    """The record and its generation; (None, 0) when there is none yet."""
    try:
        blob = storage.read(bucket, record_name(order_id))
    except NotFound:
        return None, 0
    return OrderRecord.from_json(blob.data), blob.generation


def save_record(storage: Storage, bucket: str, record: OrderRecord, generation: int) -> int:
    """Write the record if its generation is still `generation` (0: only if absent)."""
    return storage.write(
        bucket,
        record_name(record.order_id),
        record.to_json(),
        content_type="application/json",
        if_generation_match=generation,
    )
