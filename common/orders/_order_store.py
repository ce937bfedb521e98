"""OrderStore: the delivery bucket as the order side of the shop sees it.

Callers name orders, files and markers; the store knows the bucket they live in and
how each is advanced: records under generation preconditions with the retry when
another writer got there first (_store.py), indexes create-only (_index.py),
download counts by compare-and-swap (_download_counts.py). One per app, built by
its composition root from the storage port and DELIVERY_BUCKET, so no use case
spells the bucket. The functions it wraps stay for tools that hold a bucket of
their own (bench/, the console's cross-bucket checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from common.orders._download_counts import count_download, read_count, read_counts, reset_count
from common.orders._index import (
    OrderQuery,
    checkout_index_name,
    find_order_ids,
    write_indexes,
)
from common.orders._record import OrderRecord
from common.orders._reissues import Progress, read_json, read_progress
from common.orders._store import load_record, save_record, update_record
from common.storage import Blob, NotFound, Storage, exists


@dataclass(frozen=True)
class OrderStore:
    """Records, indexes, counts and markers of orders, in one bucket."""

    storage: Storage
    bucket: str

    def load(self, order_id: str) -> tuple[OrderRecord | None, int]:
        """The record and its generation; (None, 0) when there is none yet."""
        return load_record(self.storage, self.bucket, order_id)

    def save(self, record: OrderRecord, generation: int) -> int:
        """Write the record if its generation is still `generation` (0: only if absent)."""
        return save_record(self.storage, self.bucket, record, generation)

    def update(self, order_id: str, change: Callable[[OrderRecord], OrderRecord]) -> OrderRecord:
        """Apply a transition under the record's generation, re-reading when beaten."""
        return update_record(self.storage, self.bucket, order_id, change)

    def write_indexes(self, record: OrderRecord) -> None:
        write_indexes(self.storage, self.bucket, record)

    def checkout_order(self, checkout_ref: str) -> str | None:
        """The order a checkout reference names (index/checkouts/), or None while there is none."""
        try:
            return self.read(checkout_index_name(checkout_ref)).data.decode()
        except NotFound:
            return None

    def find(self, query: OrderQuery, *, today: date) -> list[str]:
        return find_order_ids(self.storage, self.bucket, query, today=today)

    def read_count(self, order_id: str, index: int) -> tuple[int, int]:
        return read_count(self.storage, self.bucket, order_id, index)

    def read_counts(self, order_id: str, files: int) -> tuple[int, ...]:
        return read_counts(self.storage, self.bucket, order_id, files)

    def reset_count(self, order_id: str, index: int) -> None:
        reset_count(self.storage, self.bucket, order_id, index)

    def count_download(self, order_id: str, index: int, *, limit: int) -> int | None:
        return count_download(self.storage, self.bucket, order_id, index, limit=limit)

    def read_progress(self, product: str, edition: str, request_id: str) -> Progress:
        """Which orders of a re-issued edition are done, and which failed in this request."""
        return read_progress(self.storage, self.bucket, product, edition, request_id)

    def read_json(self, name: str) -> dict[str, Any]:
        """A marker's JSON body; {} when it is missing or not JSON."""
        return read_json(self.storage, self.bucket, name)

    def signed_url(self, name: str, *, ttl: int, filename: str) -> str:
        """A short-lived URL that downloads a copy as an attachment."""
        return self.storage.signed_url(self.bucket, name, ttl=ttl, filename=filename)

    def generation(self, name: str) -> int:
        return self.storage.generation(self.bucket, name)

    def has(self, name: str) -> bool:
        """Whether an object (a copy, a marker) is stored."""
        return exists(self.storage, self.bucket, name)

    def read(self, name: str) -> Blob:
        return self.storage.read(self.bucket, name)

    def write(
        self,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        return self.storage.write(
            self.bucket,
            name,
            data,
            content_type=content_type,
            if_generation_match=if_generation_match,
        )

    def write_from(self, name: str, produce: Callable[[BinaryIO], object]) -> int:
        """Stream an object (a big copy) from what `produce` writes."""
        return self.storage.write_from(self.bucket, name, produce)

    def delete(self, name: str) -> None:
        self.storage.delete(self.bucket, name)

    def list(self, prefix: str) -> list[str]:
        return self.storage.list(self.bucket, prefix)
