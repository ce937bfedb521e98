"""The port every file format's engine implements, and what its methods hand back.

A format is a package of stamping/ (pdf/, epub/) whose `__init__` exposes one
object with these methods, plus one line in stamping/formats.py, the registry.
Callers outside the engine go through the registry only: they never learn
which engine did the work. Errors are the engine's own three
(stamping/stamp.py): StampError, TraceError, FontMissing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from stamping.limits import Limits
from stamping.stamp import Stamp
from stamping.style import StampStyle
from stamping.trace import Checker, OcrReader, Trace


class Prepared(Protocol):
    """An original ready for many buyers: `write` puts one buyer's copy into a file."""

    @property
    def notes(self) -> tuple[str, ...]: ...

    @property
    def nbytes(self) -> int: ...

    def write(self, stamp: Stamp, out: BinaryIO | io.BytesIO) -> str:
        """Write one buyer's copy; the characters of the stamp that could not be drawn."""
        ...


@dataclass(frozen=True)
class Checked:
    """A preflight: the report's text, its verdict, and how to save its previews."""

    text: str
    clean: bool
    write_previews: Callable[[Path, str], list[Path]]


class Format(Protocol):
    """One kind of book: told by its content, stamped, traced and checked by its engine."""

    @property
    def name(self) -> str:
        """ "pdf", "epub": the format's name, and the suffix of its copies' files."""
        ...

    def detect(self, book: BinaryIO) -> bool:
        """Is this book (a seekable file, read from its start) of this format?"""
        ...

    def prepare(self, original: bytes | Path, style: StampStyle, limits: Limits) -> Prepared:
        """The original laid out once for many buyers; StampError if it cannot be stamped
        (LimitExceeded, one, when it costs more than `limits` allow)."""
        ...

    def stamp(self, original: bytes, stamp: Stamp, style: StampStyle, limits: Limits) -> bytes:
        """One buyer's copy, in memory."""
        ...

    def trace(
        self, data: bytes, check: Checker | None, ocr: OcrReader | None, limits: Limits
    ) -> Trace:
        """Every order a copy names; TraceError when the file cannot be read at all (or costs
        more than `limits` allow)."""
        ...

    def check(self, data: bytes, style: StampStyle, limits: Limits) -> Checked:
        """Preflight: what an author learns before launch; never raises for a bad book."""
        ...

    def check_installed(self) -> None:
        """Cheap start-up check that this machine has what the engine needs; FontMissing if not."""
        ...
