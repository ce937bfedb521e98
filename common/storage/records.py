"""Read-modify-write of small JSON records over any Storage, under generation preconditions.

Order records and download counts change from several places at once (the
worker's redeliveries, gunicorn threads of the service). Each change reads the
record with its generation, applies a pure function and writes back only if
the generation is unchanged; on PreconditionFailed it re-reads and re-applies,
a bounded number of times. The change function may therefore run more than
once and must depend only on the record it is given; it may raise to refuse
the change (for instance, a download over the limit).
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable
from typing import Any

from common.storage import (
    NotFound,
    PreconditionFailed,
    Storage,
    StorageError,
    TransientStorageError,
)

Record = dict[str, Any]


def read_json(storage: Storage, bucket: str, name: str) -> tuple[Record | None, int]:
    """The record and its generation; (None, 0) when it does not exist."""
    try:
        blob = storage.read(bucket, name)
    except NotFound:
        return None, 0
    try:
        record = json.loads(blob.data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StorageError(f"{bucket}/{name} is not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise StorageError(f"{bucket}/{name} is not a JSON object")
    return record, blob.generation


def update_json(
    storage: Storage,
    bucket: str,
    name: str,
    change: Callable[[Record | None], Record | None],
    attempts: int = 5,
    *,
    backoff: float = 0.05,
) -> Record | None:
    """Apply change to the record (None when absent) and store the result atomically.

    change returns the new record, or None to leave the stored one as it is.
    Returns the record as stored afterwards. Raises TransientStorageError when
    other writers won every one of the attempts.
    """
    for attempt in range(attempts):
        current, generation = read_json(storage, bucket, name)
        updated = change(copy.deepcopy(current))
        if updated is None or updated == current:
            return current
        body = json.dumps(updated, ensure_ascii=False, sort_keys=True).encode()
        try:
            storage.write(
                bucket,
                name,
                body,
                content_type="application/json",
                if_generation_match=generation,
            )
        except PreconditionFailed:
            if attempt + 1 < attempts:
                time.sleep(random.uniform(0, backoff * 2**attempt))  # noqa: S311 - jitter
            continue
        return updated
    raise TransientStorageError(f"{bucket}/{name}: still contended after {attempts} attempts")
