"""Hard limits on what one file may cost the engine: inflated bytes, objects, pages, entries, time.

Every book the engine reads comes from a stranger: an author's upload, or a
copy a leaker hands support. A few kilobytes of deflate can stand for a
gigabyte (a ratio of about 1032:1 is deflate's ceiling, zlib's "Maximum
compression factor" in its technical details), so each limit is checked
before inflating where the format says the size (a zip's central directory,
a stream's /DL), and while inflating where it does not (zlib's `max_length`:
never more than the limit plus one byte is held).

`Limits` holds the numbers, each read from a setting (common/settings.py)
whose name the refusal carries, so an author who meets one knows what to
raise. `spending(limits)` opens the budget of one operation (a stamp, a
check, a trace): the inflated bytes counted so far and its deadline, shared
by everything that operation reads. The clock is the one impurity of the
engine: a time budget needs one.

Why these defaults (pypdf refuses past 75 MB per stream, Apache POI past a
ratio of 100, for the same reasons):
- STAMP_MAX_STREAM 64 MiB: the most the engine inflates from one PDF stream
  (page content, XMP, an object stream) or one zip entry (a chapter, the
  OPF). Real page content runs to a few MB on a dense vector page; a chapter
  to a few MB of XHTML. Images and fonts are never inflated: they are copied.
- STAMP_MAX_INFLATED 512 MiB: all of one file's inflated bytes together,
  each decoding counted (ten pages sharing a stream cost ten readings).
- STAMP_MAX_RATIO 100: inflated size over compressed size, past the first
  MiB. Text and markup deflate 3 to 10 times; a thousandfold is a bomb.
- STAMP_MAX_OBJECTS 1,000,000 and STAMP_MAX_PAGES 20,000: qpdf keeps every
  object in memory (a few hundred bytes each); a 2,000-page book has about
  50,000 objects.
- STAMP_MAX_ZIP_ENTRIES 10,000 and STAMP_MAX_ZIP_SIZE 2 GiB: an EPUB of a
  thousand pictures has about two thousand entries; the declared size is
  what every reading system will inflate.
- STAMP_MAX_SECONDS 60: the longest one stamp, check or trace may take; a
  large legitimate book prepares in a few seconds here.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

from stamping.stamp import StampError, TraceError

MiB = 1 << 20
GRACE = 1 * MiB  # output below this is never refused for its ratio


@dataclass(frozen=True)
class Limits:
    """What one stamp, check or trace of one file may cost."""

    stream: int = 64 * MiB  # STAMP_MAX_STREAM: inflated bytes of one stream or zip entry
    inflated: int = 512 * MiB  # STAMP_MAX_INFLATED: inflated bytes of one file, all together
    ratio: int = 100  # STAMP_MAX_RATIO: inflated over compressed bytes, past GRACE
    objects: int = 1_000_000  # STAMP_MAX_OBJECTS: objects in a PDF
    pages: int = 20_000  # STAMP_MAX_PAGES: pages in a PDF
    zip_entries: int = 10_000  # STAMP_MAX_ZIP_ENTRIES: entries in an EPUB's zip
    zip_size: int = 2048 * MiB  # STAMP_MAX_ZIP_SIZE: uncompressed bytes the zip declares
    seconds: int = 60  # STAMP_MAX_SECONDS: the time one stamp, check or trace may take

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{variable(f.name)}: must be a positive integer")


def variable(limit: str) -> str:
    """The setting a limit is read from: stream -> STAMP_MAX_STREAM."""
    return f"STAMP_MAX_{limit.upper()}"


class LimitExceeded(StampError, TraceError):
    """A file costs more than a limit allows: refused for stamping, unreadable for a trace."""

    def __init__(self, what: str, limit: str) -> None:
        super().__init__(f"{what} ({variable(limit)})")
        self.limit = limit


def size(n: int) -> str:
    """Bytes in words: 64 MB, 2.9 GB, 152.1 KB (binary units, as the defaults are)."""
    for unit, scale in (("GB", 1 << 30), ("MB", MiB), ("KB", 1024)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


class Budget:
    """One operation's spending: inflated bytes so far, and its deadline."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.inflated = 0
        self.deadline = time.monotonic() + limits.seconds

    def charge(self, inflated: int, what: str) -> None:
        """Count `inflated` more bytes read from the file; LimitExceeded past the total."""
        self.inflated += inflated
        if self.inflated > self.limits.inflated:
            raise LimitExceeded(
                f"{what} inflates past {size(self.limits.inflated)} in all", "inflated"
            )
        self.tick(what)

    def tick(self, what: str = "this file") -> None:
        """LimitExceeded once the operation has run past its time."""
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"{what} takes longer than {self.limits.seconds} s", "seconds")

    def allowed(self, compressed: int) -> tuple[int, str]:
        """The most one stream of `compressed` bytes may inflate to, and the limit that says so."""
        by_ratio = max(GRACE, compressed * self.limits.ratio)
        if by_ratio < self.limits.stream:
            return by_ratio, "ratio"
        return self.limits.stream, "stream"

    def refuse(self, what: str, limit: str, compressed: int) -> LimitExceeded:
        if limit == "ratio":
            return LimitExceeded(
                f"{what} inflates more than {self.limits.ratio} times its {size(compressed)}",
                "ratio",
            )
        return LimitExceeded(f"{what} inflates past {size(self.limits.stream)}", "stream")

    def check_declared(self, what: str, compressed: int, inflated: int) -> None:
        """Refuse, before inflating, what a format says will inflate past the limits."""
        most, limit = self.allowed(compressed)
        if inflated > most:
            raise self.refuse(what, limit, compressed)

    def inflate(self, data: bytes | memoryview, what: str, wbits: int = 15) -> bytes:
        """Inflate zlib (or, wbits -15, raw deflate) data, never holding more than it may;
        zlib.error for data that is not deflate."""
        most, limit = self.allowed(len(data))
        out = zlib.decompressobj(wbits).decompress(data, most + 1)
        if len(out) > most:
            raise self.refuse(what, limit, len(data))
        self.charge(len(out), what)
        return out


_CURRENT: ContextVar[Budget | None] = ContextVar("stamping_budget", default=None)


@contextmanager
def spending(limits: Limits | None = None) -> Iterator[Budget]:
    """The budget of one operation: a new one, or the one already open in this context
    (a check that stamps a trial copy spends one budget, not two)."""
    open_budget = _CURRENT.get()
    if open_budget is not None:
        yield open_budget
        return
    budget = Budget(limits or Limits())
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current() -> Budget:
    """The open budget, or a fresh one with the default limits (a read outside any operation)."""
    return _CURRENT.get() or Budget(Limits())
