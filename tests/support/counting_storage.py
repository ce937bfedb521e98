"""MemoryStorage that counts the requests made of it: what a page costs on Cloud Storage.

Each read, listing and write is one request to GCS (a listing one per 1,000 names),
so tests can hold the overview to a number of requests instead of a time.
"""

from __future__ import annotations

import threading
from collections import Counter

from common.storage import Blob, MemoryStorage


class CountingStorage(MemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self._counting = threading.Lock()  # the overview reads from several threads

    def _count(self, call: str) -> None:
        with self._counting:
            self.calls[call] += 1

    def read(self, bucket: str, name: str) -> Blob:
        self._count("read")
        return super().read(bucket, name)

    def list(self, bucket: str, prefix: str) -> list[str]:
        self._count("list")
        return super().list(bucket, prefix)

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        self._count("write")
        return super().write(
            bucket, name, data, content_type=content_type, if_generation_match=if_generation_match
        )
