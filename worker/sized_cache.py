"""A least-recently-used cache bounded by the bytes its values hold, with single-flight misses.

The worker keeps originals and stamping plans in memory, so a launch-day burst
reads and prepares each book once per instance. Keys name an object's
generation: a new generation of a book is a new key, and putting it drops
the older generations of the same object (they never hit again). A value
larger than the bound is handed out uncached. Concurrent misses on one key
wait for a single `make` instead of each doing the work. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SizedCache(Generic[K, V]):
    def __init__(
        self,
        max_bytes: int,
        size_of: Callable[[V], int],
        family: Callable[[K], Hashable] = lambda key: key,
    ) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._family = family  # keys of one family replace each other (one object's generations)
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[K, threading.Lock] = {}

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The cached value of key, or make it once (other threads asking meanwhile wait)."""
        value = self._get(key)
        if value is not None:
            return value
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            try:
                value = self._get(key)
                if value is None:
                    value = make()
                    self._put(key, value)
                return value
            finally:
                with self._lock:
                    if self._making.get(key) is making:
                        del self._making[key]

    def _get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def _put(self, key: K, value: V) -> None:
        family = self._family(key)
        size = self._size_of(value)
        with self._lock:
            for old in [k for k in self._entries if self._family(k) == family]:
                self._size -= self._size_of(self._entries.pop(old))
            if size > self.max_bytes:
                return
            self._entries[key] = value
            self._size += size
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= self._size_of(evicted)
