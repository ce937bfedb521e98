"""Recently used originals, kept in memory so a launch-day burst reads each book once.

Entries are keyed by (bucket, name, generation): each read asks the store for
the object's current generation (a metadata call, no bytes), so a replaced
original is read afresh and the stale bytes are dropped. The cache is a
least-recently-used list bounded by the total size of the bytes it holds; an
object larger than the bound is passed through uncached. Concurrent misses on
one key wait for a single read instead of each downloading the book.
Thread-safe (gunicorn runs the worker with several threads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from common.storage import Blob, Storage

DEFAULT_MAX_BYTES = 512 * 1024 * 1024

Key = tuple[str, str, int]


class OriginalsCache:
    def __init__(self, storage: Storage, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._storage = storage
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._loading: dict[Key, threading.Lock] = {}

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def read(self, bucket: str, name: str) -> bytes:
        """The object's bytes, from memory when its current generation is cached."""
        return self.read_current(bucket, name).data

    def read_current(self, bucket: str, name: str) -> Blob:
        """The object's current bytes and generation, from memory when cached."""
        key = (bucket, name, self._storage.generation(bucket, name))
        data = self._get(key)
        if data is not None:
            return Blob(data=data, generation=key[2])
        loading = self._loading_lock(key)
        with loading:
            try:
                data = self._get(key)  # another thread may have read it while we waited
                if data is not None:
                    return Blob(data=data, generation=key[2])
                blob = self._storage.read(bucket, name)
                self._put((bucket, name, blob.generation), blob.data)
                return blob
            finally:
                with self._lock:
                    if self._loading.get(key) is loading:
                        del self._loading[key]

    def _get(self, key: Key) -> bytes | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def _put(self, key: Key, data: bytes) -> None:
        with self._lock:
            for old in [k for k in self._entries if k[:2] == key[:2]]:
                self._size -= len(self._entries.pop(old))  # older generations never hit again
            if len(data) > self.max_bytes:
                return
            self._entries[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def _loading_lock(self, key: Key) -> threading.Lock:
        with self._lock:
            return self._loading.setdefault(key, threading.Lock())
