"""One door to the engines: which format a file is (by content, not by name), and the engine for it.

A PDF has `%PDF-` in its first kilobyte (as pdf/stamper.py requires); an
EPUB is a zip whose first entry is `mimetype` saying application/epub+zip,
or, failing that, a zip holding META-INF/container.xml. Tracing and preflight
of anything that is not an EPUB go to the PDF engine, which says what it is
not; stamping refuses a file that is neither.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from stamping.epub import preflight as epub_preflight
from stamping.epub.stamper import stamp_epub, write_epub
from stamping.epub.tracing import TraceError as EpubTraceError
from stamping.epub.tracing import trace_epub
from stamping.pdf import preflight as pdf_preflight
from stamping.pdf import stamp_pdf
from stamping.pdf.plan import prepare_plan
from stamping.pdf.trace import Checker, Finding, OcrReader, Trace, TraceError, canonical, trace_pdf
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle


def detect_format(data: bytes) -> str | None:
    """ "pdf", "epub" or None."""
    if data.startswith(b"PK\x03\x04"):
        return "epub" if _is_epub(data) else None
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return None


def _is_epub(data: bytes) -> bool:
    if data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip":
        return True  # the OCF signature: mimetype first, stored, with no extra field
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "META-INF/container.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def stamp_file(data: bytes, stamp: Stamp, style: StampStyle = StampStyle()) -> bytes:  # noqa: B008 - frozen
    """The buyer's copy of a PDF or an EPUB; StampError for any other file."""
    kind = detect_format(data)
    if kind == "epub":
        return stamp_epub(data, stamp, style)
    if kind == "pdf":
        return stamp_pdf(data, stamp, style)
    raise StampError("this file is neither a PDF nor an EPUB")


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
class _EpubOriginal:
    """An EPUB needs no plan: its engine copies the untouched entries of the original as is."""

    data: bytes
    style: StampStyle
    notes: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.data)

    def write(self, stamp: Stamp, out: BinaryIO | io.BytesIO) -> str:
        write_epub(self.data, stamp, out, self.style)
        return ""  # the reading system's fonts draw an EPUB's stamp


def prepare(data: bytes, style: StampStyle = StampStyle()) -> Prepared:  # noqa: B008 - frozen
    """Get an original ready for many buyers: a PDF's plan, or the EPUB itself."""
    kind = detect_format(data)
    if kind == "epub":
        return _EpubOriginal(data, style)
    if kind == "pdf":
        return prepare_plan(data, style)
    raise StampError("this file is neither a PDF nor an EPUB")


def trace_file(data: bytes, check: Checker | None = None, ocr: OcrReader | None = None) -> Trace:
    """Every order a copy names; TraceError (the PDF engine's) when it cannot be read at all."""
    if detect_format(data) != "epub":
        return trace_pdf(data, check, ocr)
    try:
        epub = trace_epub(data)
    except EpubTraceError as exc:
        raise TraceError(str(exc)) from None
    if epub.order_id is None and epub.code is None:
        return Trace(findings=(), pages=0)
    code = canonical(epub.code) if epub.code else None
    authentic = check(code) if check is not None and code is not None else None
    return Trace(findings=(Finding(epub.order_id, code, authentic, epub.marks, ()),), pages=0)


@dataclass(frozen=True)
class Checked:
    """A preflight: the report's text, its verdict, and how to save its previews."""

    text: str
    clean: bool
    write_previews: Callable[[Path, str], list[Path]]


def check_file(data: bytes, style: StampStyle = StampStyle()) -> Checked:  # noqa: B008 - frozen
    """Preflight a PDF or an EPUB."""
    if detect_format(data) == "epub":
        epub = epub_preflight.check_epub(data, style)
        return Checked(
            epub_preflight.format_report(epub),
            epub.clean,
            lambda out, stem: epub_preflight.write_previews(epub, out, stem),
        )
    pdf = pdf_preflight.check_pdf(data, style)
    return Checked(
        pdf_preflight.format_report(pdf),
        pdf.clean,
        lambda out, stem: pdf_preflight.write_previews(pdf, out, stem),
    )
