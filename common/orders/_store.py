"""Where order records and their indexes live in the delivery bucket, and how they are written.

`orders/<order id>.json` is written only by the worker, created only if absent
and advanced only under a generation precondition (`update_record` retries a
transition on the fresh record when another writer got there first), so
concurrent redeliveries agree on one history. The record and its
transitions are common/orders.py; this module is its storage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from common.orders._record import OrderRecord
from common.storage import NotFound, PreconditionFailed, Storage


class RecordContended(Exception):
    """Other writers kept changing the record; a later retry will get through."""


def record_name(order_id: str) -> str:
    return f"orders/{order_id}.json"


def customer_prefix(email: str) -> str:
    return f"customers/{hashlib.sha256(email.strip().lower().encode()).hexdigest()}/"


def code_name(serial: str) -> str:
    return f"codes/{serial}"


def request_marker(request_id: str, order_id: str) -> str:
    """Where a re-send request notes that it mailed an order (the mail's id, or nothing)."""
    return f"requests/{request_id}/{order_id}"


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


def update_record(
    storage: Storage,
    bucket: str,
    order_id: str,
    change: Callable[[OrderRecord], OrderRecord],
    *,
    attempts: int = 8,
) -> OrderRecord:
    """Apply a transition to the stored record under its generation; re-read when beaten.

    Raises NotFound without a record, InvalidTransition from `change`, and
    RecordContended when other writers won every attempt.
    """
    for _ in range(attempts):
        record, generation = load_record(storage, bucket, order_id)
        if record is None:
            raise NotFound(record_name(order_id))
        changed = change(record)
        if changed == record:
            return record
        try:
            save_record(storage, bucket, changed, generation)
        except PreconditionFailed:
            continue
        return changed
    raise RecordContended(f"order {order_id} kept changing")


def code_owner(storage: Storage, bucket: str, serial: str) -> str | None:
    """The order the code index names for a serial (`codes/<serial>`), or None if it names none."""
    try:
        return storage.read(bucket, code_name(serial)).data.decode("utf-8", "replace")
    except NotFound:
        return None
