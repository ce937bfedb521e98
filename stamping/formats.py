"""The registry of file formats: which format a book is (by content, not by name), and its engine.

Each format is a package of stamping/ whose `__init__` exposes one object
implementing stamping/format.py's Format; a new format is one package and
one line in FORMATS. The worker, the command line and the console reach the
engines only through the functions here. A file no format claims is refused
in words that say what it is (empty, a zip archive that is no EPUB, …), for
stamping, tracing and preflight alike.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

from stamping.epub import EPUB
from stamping.format import Checked, Format, Prepared
from stamping.limits import LimitExceeded, Limits
from stamping.pdf import PDF
from stamping.stamp import Stamp, StampError, TraceError
from stamping.style import StampStyle
from stamping.trace import Checker, OcrReader, Original, Trace

FORMATS: tuple[Format, ...] = (
    PDF,
    EPUB,
)


def format_of(original: bytes | Path) -> Format | None:
    """The format of a book (its bytes, or a file of which only what detection needs is read)."""
    with _opened(original) as book:
        return next((f for f in FORMATS if f.detect(book)), None)


def detect_format(data: bytes) -> str | None:
    """ "pdf", "epub" (a format's name) or None."""
    found = format_of(data)
    return found.name if found else None


def format_for(original: bytes | Path) -> Format:
    """The format of a book; StampError, saying what the file is, when no format claims it."""
    return _engine(original, StampError)


def prepare(
    original: bytes | Path,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> Prepared:
    """Get an original ready for many buyers (a file is read as its engine goes, where it can);
    StampError if it cannot be stamped, LimitExceeded (one) past `limits`."""
    return _engine(original, StampError).prepare(original, style, limits)


def stamp_file(
    data: bytes,
    stamp: Stamp,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> bytes:
    """One buyer's copy of a book of any format; StampError for any other file."""
    return _engine(data, StampError).stamp(data, stamp, style, limits)


def trace_file(
    data: bytes,
    check: Checker | None = None,
    ocr: OcrReader | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen
    original: Original | None = None,
) -> Trace:
    """Every order a copy names; TraceError when it cannot be read at all (LimitExceeded, one,
    when it costs more than `limits` allow).

    `check` says whether a code is authentic (the shop's secret stays outside the
    engine); `ocr` reads the footer of pages that are only pictures (stamping/ocr.py);
    `original`, the author's book, lets a PDF's line-shift mark be read against it."""
    engine = _engine(data, TraceError)
    if original is None:
        return engine.trace(data, check, ocr, limits)
    if engine is not PDF or format_of(original.data) is not PDF:
        raise TraceError("--original compares the pages of two PDFs: the copy and its original")
    return PDF.trace(data, check, ocr, limits, original)


def check_file(
    data: bytes,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits = Limits(),  # noqa: B008 - frozen
) -> Checked:
    """Preflight a book of any format; a file of none is a report with one problem."""
    try:
        engine = _engine(data, StampError)
    except StampError as exc:
        text = f"{'problem:':<15}{exc}\n{'verdict:':<15}does NOT stamp cleanly"
        return Checked(text, False, _no_previews)
    return engine.check(data, style, limits)


def check_installed() -> None:
    """Cheap start-up check that every engine has what it needs here; FontMissing if not."""
    for engine in FORMATS:
        engine.check_installed()


def _engine(original: bytes | Path, error: type[Exception]) -> Format:
    found = format_of(original)
    if found is None:
        with _opened(original) as book:
            raise error(f"this file is neither {_names()}: it {_what_it_is(book)}")
    return found


def _names() -> str:
    return " nor ".join(
        f"{'an' if f.name[0] in 'aeiou' else 'a'} {f.name.upper()}" for f in FORMATS
    )


def _what_it_is(book: BinaryIO) -> str:
    """What a file no format claims is, in words an author recognises."""
    book.seek(0)
    head = book.read(16)
    if not head:
        return "is empty"
    if not head.startswith(b"PK"):
        return f"starts with {head!r}"
    import zipfile  # here: a refusal is rare, and a book's start-up need not pay for it

    try:
        with zipfile.ZipFile(book) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"is a damaged zip archive ({exc})"
    if not names:
        return "is an empty zip archive"
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return f"is a zip archive of {len(names)} file(s) ({shown})"


def _opened(original: bytes | Path) -> BinaryIO:
    return io.BytesIO(original) if isinstance(original, bytes) else original.open("rb")


def _no_previews(out: Path, stem: str) -> list[Path]:
    return []


__all__ = [
    "FORMATS",
    "Checked",
    "Format",
    "LimitExceeded",
    "Limits",
    "Prepared",
    "check_file",
    "check_installed",
    "detect_format",
    "format_for",
    "format_of",
    "prepare",
    "stamp_file",
    "trace_file",
]
