"""The originals cache: hits, eviction by total size, a new generation read afresh.

Reads are counted on a thin wrapper around the real folder adapter (a test
double of the storage port); one case runs the same check over GCS on the
emulator, which is where `generation()` is a metadata GET.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from common.storage import Blob, LocalStorage, NotFound, Storage
from common.storage.gcs import GcsStorage
from worker.originals import OriginalsCache

BUCKET = "originals"


class CountingStorage:
    """The storage port, counting full reads (generation lookups are cheap and not counted)."""

    def __init__(self, inner: Storage, gate: threading.Event | None = None) -> None:
        self.inner = inner
        self.reads: list[str] = []
        self._gate = gate

    def read(self, bucket: str, name: str) -> Blob:
        self.reads.append(name)
        if self._gate is not None:
            self._gate.wait(5)
        return self.inner.read(bucket, name)

    def generation(self, bucket: str, name: str) -> int:
        return self.inner.generation(bucket, name)

    def write(self, bucket: str, name: str, data: bytes, **kwargs) -> int:
        return self.inner.write(bucket, name, data, **kwargs)


@pytest.fixture
def local(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage", public_url="http://127.0.0.1", signing_key=b"k" * 32)


def test_a_second_read_of_the_same_generation_comes_from_memory(local) -> None:
    local.write(BUCKET, "book.pdf", b"%PDF-one")
    counting = CountingStorage(local)
    cache = OriginalsCache(counting)
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-one"
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-one"
    assert counting.reads == ["book.pdf"]


def test_a_new_generation_is_read_again_and_the_old_bytes_are_dropped(local) -> None:
    local.write(BUCKET, "book.pdf", b"%PDF-first")
    counting = CountingStorage(local)
    cache = OriginalsCache(counting)
    cache.read(BUCKET, "book.pdf")
    local.write(BUCKET, "book.pdf", b"%PDF-second!")
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-second!"
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-second!"
    assert counting.reads == ["book.pdf", "book.pdf"]
    assert cache.size == len(b"%PDF-second!")


def test_a_book_replaced_by_hand_counts_as_a_new_generation(local, tmp_path) -> None:
    path = tmp_path / "storage" / BUCKET / "book.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-dropped")
    cache = OriginalsCache(local)
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-dropped"
    path.write_bytes(b"%PDF-replaced")
    stat = path.stat()
    later = stat.st_mtime_ns + 1_000_000_000  # a later edit, whatever the clock's granularity
    os.utime(path, ns=(stat.st_atime_ns, later))
    assert cache.read(BUCKET, "book.pdf") == b"%PDF-replaced"


def test_the_least_recently_used_book_is_evicted_when_the_bytes_exceed_the_bound(local) -> None:
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        local.write(BUCKET, name, name.encode() * 10)  # 50 bytes each
    counting = CountingStorage(local)
    cache = OriginalsCache(counting, max_bytes=120)
    cache.read(BUCKET, "a.pdf")
    cache.read(BUCKET, "b.pdf")
    cache.read(BUCKET, "a.pdf")  # a is now the most recent
    cache.read(BUCKET, "c.pdf")  # 150 bytes > 120: b goes
    assert cache.size == 100
    counting.reads.clear()
    cache.read(BUCKET, "a.pdf")
    cache.read(BUCKET, "c.pdf")
    assert counting.reads == []
    cache.read(BUCKET, "b.pdf")
    assert counting.reads == ["b.pdf"]


def test_a_book_larger_than_the_bound_is_passed_through_uncached(local) -> None:
    local.write(BUCKET, "huge.pdf", b"x" * 200)
    counting = CountingStorage(local)
    cache = OriginalsCache(counting, max_bytes=100)
    assert cache.read(BUCKET, "huge.pdf") == b"x" * 200
    assert cache.read(BUCKET, "huge.pdf") == b"x" * 200
    assert counting.reads == ["huge.pdf", "huge.pdf"]
    assert cache.size == 0


def test_a_missing_original_is_not_found_and_nothing_is_cached(local) -> None:
    cache = OriginalsCache(CountingStorage(local))
    with pytest.raises(NotFound):
        cache.read(BUCKET, "missing.pdf")
    assert cache.size == 0


def test_concurrent_misses_on_one_book_read_it_once(local) -> None:
    local.write(BUCKET, "book.pdf", b"%PDF-burst")
    gate = threading.Event()
    counting = CountingStorage(local, gate)
    cache = OriginalsCache(counting)
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.read(BUCKET, "book.pdf")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()  # the first reader was held at the store; the others queued behind it
    for thread in threads:
        thread.join(10)
    assert results == [b"%PDF-burst"] * 8
    assert counting.reads == ["book.pdf"]


@pytest.mark.emulator
def test_over_gcs_a_new_generation_is_read_again(storage_emulator, gcs_bucket) -> None:
    gcs = GcsStorage(storage_emulator.client(), signing=None, deadline=2.0, initial_backoff=0.01)
    first = gcs.write(gcs_bucket, "book.pdf", b"%PDF-first")
    assert gcs.generation(gcs_bucket, "book.pdf") == first
    counting = CountingStorage(gcs)
    cache = OriginalsCache(counting)
    assert cache.read(gcs_bucket, "book.pdf") == b"%PDF-first"
    assert cache.read(gcs_bucket, "book.pdf") == b"%PDF-first"
    second = gcs.write(gcs_bucket, "book.pdf", b"%PDF-second")
    assert second != first
    assert cache.read(gcs_bucket, "book.pdf") == b"%PDF-second"
    assert counting.reads == ["book.pdf", "book.pdf"]
    with pytest.raises(NotFound):
        gcs.generation(gcs_bucket, "missing.pdf")
