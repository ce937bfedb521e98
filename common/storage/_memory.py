"""In-memory storage: objects in a dict, for testing use cases fast, without Flask or disk.

It keeps the port's promises the way the folder adapter does: every call
checks its bucket and name first (check_name, common/storage/_port.py) and
refuses an unsafe one with InvalidName; writes honour generation
preconditions (0: only if absent) under one lock, so threads see one
compare-and-swap order; a generation is never reused, so an overwrite always
changes it. Signed URLs are the folder adapter's HMAC URLs
(common/storage/_hmac_urls.py), so the service's /_local route can serve
from it too. `write_from` holds the whole object, as a dict must.
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Callable
from typing import BinaryIO

from common.storage._hmac_urls import HmacUrls
from common.storage._port import Blob, NotFound, PreconditionFailed, check_name, listable


class MemoryStorage:
    def __init__(
        self, *, public_url: str = "http://127.0.0.1:8080", signing_key: bytes = b"memory"
    ) -> None:
        self._objects: dict[tuple[str, str], Blob] = {}
        self._lock = threading.Lock()
        self._generations = itertools.count(1)  # 0 means "absent" in a precondition
        self._urls = HmacUrls(public_url, signing_key)

    def read(self, bucket: str, name: str) -> Blob:
        check_name(bucket, name)
        with self._lock:
            blob = self._objects.get((bucket, name))
        if blob is None:
            raise NotFound(f"{bucket}/{name}")
        return blob

    def generation(self, bucket: str, name: str) -> int:
        return self.read(bucket, name).generation

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        check_name(bucket, name)
        with self._lock:
            current = self._objects.get((bucket, name))
            generation = current.generation if current else 0
            if if_generation_match is not None and if_generation_match != generation:
                raise PreconditionFailed(
                    f"{bucket}/{name}: generation {generation}, expected {if_generation_match}"
                )
            return self._store(bucket, name, bytes(data))

    def write_from(
        self,
        bucket: str,
        name: str,
        produce: Callable[[BinaryIO], object],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        check_name(bucket, name)
        out = io.BytesIO()
        produce(out)  # outside the lock, as the other adapters upload
        with self._lock:
            return self._store(bucket, name, out.getvalue())

    def delete(self, bucket: str, name: str) -> None:
        check_name(bucket, name)
        with self._lock:
            self._objects.pop((bucket, name), None)

    def list(self, bucket: str, prefix: str) -> list[str]:
        if not listable(bucket, prefix):
            return []
        with self._lock:
            keys = list(self._objects)
        return sorted(name for b, name in keys if b == bucket and name.startswith(prefix))

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        check_name(bucket, name)
        return self._urls.sign(bucket, name, ttl=ttl, filename=filename)

    def check_signed(self, bucket: str, name: str, expires: str, filename: str, sig: str) -> bool:
        """True when a /_local URL was signed by us and has not expired."""
        return self._urls.check(bucket, name, expires, filename, sig)

    def _store(self, bucket: str, name: str, data: bytes) -> int:
        """Keep data as the object's new generation; under the lock."""
        blob = Blob(data=data, generation=next(self._generations))
        self._objects[(bucket, name)] = blob
        return blob.generation
