"""Recently used originals, kept in memory so a launch-day burst reads each book once.

Entries are keyed by (bucket, name, generation): each read asks the store for
the object's current generation (a metadata call, no bytes), so a replaced
original is read afresh and the stale bytes are dropped. Bounded by the total
size of the bytes held (worker/sized_cache.py); concurrent misses on one key
wait for a single read. Thread-safe (gunicorn runs the worker with several
threads).
"""

from __future__ import annotations

from common.storage import Blob, Storage
from worker.sized_cache import SizedCache

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


class OriginalsCache:
    def __init__(self, storage: Storage, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._storage = storage
        self._cache: SizedCache[tuple[str, str, int], Blob] = SizedCache(
            max_bytes, lambda blob: len(blob.data), family=lambda key: key[:2]
        )

    @property
    def max_bytes(self) -> int:
        return self._cache.max_bytes

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._cache.size

    def read(self, bucket: str, name: str) -> bytes:
        """The object's bytes, from memory when its current generation is cached."""
        return self.read_current(bucket, name).data

    def read_current(self, bucket: str, name: str) -> Blob:
        """The object's current bytes and generation, from memory when cached."""
        generation = self._storage.generation(bucket, name)
        return self._cache.get((bucket, name, generation), lambda: self._read(bucket, name))

    def _read(self, bucket: str, name: str) -> Blob:
        return self._storage.read(bucket, name)
