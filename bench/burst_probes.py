"""What a burst counts from outside the apps, so its figures do not rest on the apps' own word.

- CPU seconds, peak memory (VmHWM) of a gunicorn master's workers and how busy
  the whole machine was, from /proc (Linux).
- Opens of the original on disk (inotify IN_OPEN), for the folder storage.
- Every request gcp-storage-emulator serves, by Cloud Storage operation class,
  and the media GETs of the original among them, from the emulator's own
  request log in this process.
- SlowStorage: a proxy in front of the storage emulator that adds latency and,
  optionally, Cloud Storage's per-object write limit.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import select
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from demo.purchase import SAMPLE_SOURCE
from tests.support.fault_proxy import FaultProxy
from tests.support.http_standin import Recorded, Reply

IN_OPEN, IN_CLOSE_NOWRITE = 0x20, 0x10


def _family(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [master_pid, *map(int, children)]


def cpu_seconds(master_pid: int) -> float:
    """User + system CPU of a gunicorn master and its live workers, from /proc."""
    total = 0
    for pid in _family(master_pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(master_pid: int) -> float:
    """The largest peak resident set (VmHWM) among a gunicorn master's workers, in MB."""
    peaks = [0]
    for pid in _family(master_pid)[1:]:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")]
    return max(peaks) / 1024


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all the machine's cores so far (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


@contextmanager
def counting_opens(path: Path) -> Iterator[Counter[str]]:
    """Count opens of one file as they happen (inotify IN_OPEN), under the key "reads".

    Closes are watched too: inotify merges an event identical to the last unread
    one, and an open, close, open, close sequence has no two alike in a row.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(path), IN_OPEN | IN_CLOSE_NOWRITE) < 0:
        raise OSError(ctypes.get_errno(), f"inotify on {path}")
    counts: Counter[str] = Counter()
    stop_r, stop_w = os.pipe()

    def drain() -> None:
        while True:
            ready, _, _ = select.select([fd, stop_r], [], [])
            if fd in ready:
                data, offset = os.read(fd, 65536), 0
                while offset < len(data):
                    _, mask, _, length = struct.unpack_from("iIII", data, offset)
                    counts["reads"] += bool(mask & IN_OPEN)
                    offset += 16 + length
            elif stop_r in ready:
                return

    reader = threading.Thread(target=drain, name="inotify", daemon=True)
    reader.start()
    try:
        yield counts
    finally:
        os.write(stop_w, b"x")
        reader.join(timeout=5)
        for descriptor in (fd, stop_r, stop_w):
            os.close(descriptor)


_REQUEST_LINE = re.compile(r'^"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


class _StorageRequests(logging.Handler):
    """Counts what the storage emulator logs per request ('"GET /path HTTP/1.1" 200 -')."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        match = _REQUEST_LINE.match(record.getMessage())
        if match:
            kind = storage_kind(match["method"], match["path"])
            self.counts[kind] += 1
            self.counts["reads"] += kind == "B get media" and f"/o/{SAMPLE_SOURCE}" in match["path"]
            self.counts["5xx"] += match["status"].startswith("5")


def count_storage_requests() -> Counter[str]:
    """A live tally of the requests gcp-storage-emulator serves in this process."""
    handler = _StorageRequests()
    emulator_log = logging.getLogger("gcp_storage_emulator.server")
    emulator_log.setLevel(logging.INFO)
    emulator_log.addHandler(handler)
    return handler.counts


def storage_kind(method: str, path: str) -> str:
    """A JSON API request's operation class (A, B or free, as Cloud Storage bills it) and kind."""
    bare = path.split("?", 1)[0]
    if method == "GET" and "alt=media" in path:
        return "B get media"
    if method == "GET" and re.search(r"/b/[^/]+/o$", bare):
        return "A list"
    if method == "GET":
        return "B get metadata"
    if method == "DELETE":
        return "free delete"
    if "/upload/" in bare or "uploadType=" in path:
        return "A insert"
    return f"A {method.lower()}"


class SlowStorage(FaultProxy):
    """The storage emulator `latency` seconds away, and (optionally) Cloud Storage's write limit
    (`write_gap`, tests/support/fault_proxy.py). Each request waits in its own thread, as
    on a network."""

    def __init__(self, upstream: str, latency: float, write_gap: float = 0.0) -> None:
        super().__init__(upstream, write_gap)
        self.latency = latency
        self._timing = threading.Lock()
        self._seconds, self._served = 0.0, 0

    @property
    def mean_ms(self) -> float:
        """How long a request took here, on average: the added latency and the emulator's."""
        return self._seconds / self._served * 1000 if self._served else 0.0

    def respond(self, request: Recorded) -> Reply:
        self.requests.clear()  # the stand-in records every request; a burst keeps none
        started = time.perf_counter()
        try:
            time.sleep(self.latency)
            return super().respond(request)
        finally:
            with self._timing:
                self._seconds += time.perf_counter() - started
                self._served += 1
