"""The EPUB engine behind the registry (stamping/formats.py): detect, prepare, stamp, trace, check.

An EPUB is a zip whose first entry is `mimetype` saying application/epub+zip
(the OCF signature), or, failing that, a zip holding META-INF/container.xml.
An EPUB needs no plan: its engine copies the untouched entries of the
original as they are, so `prepare` only keeps the bytes. Each method imports
the part of the engine it uses when it is first called, so a command that
handles a PDF loads none of it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from stamping.evidence import Evidence, findings_of
from stamping.format import Checked, Prepared
from stamping.limits import Limits, spending
from stamping.stamp import Stamp
from stamping.style import StampStyle
from stamping.trace import Checker, OcrReader, Trace, canonical

_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class _Original:
    """An EPUB ready for many buyers: the original's bytes and the style."""

    data: bytes
    style: StampStyle
    limits: Limits = Limits()  # noqa: RUF009 - frozen
    notes: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.data)

    def write(self, stamp: Stamp, out: BinaryIO | io.BytesIO) -> str:
        from stamping.epub.stamper import write_epub

        with spending(self.limits):
            write_epub(self.data, stamp, out, self.style)
        return ""  # the reading system's fonts draw an EPUB's stamp


class EpubFormat:
    name = "epub"

    def detect(self, book: BinaryIO) -> bool:
        book.seek(0)
        head = book.read(58)
        if not head.startswith(_SIGNATURE):
            return False
        if head[30:38] == b"mimetype" and head[38:58] == b"application/epub+zip":
            return True  # the OCF signature: mimetype first, stored, with no extra field
        import zipfile  # here: only a zip without the signature needs it (a PDF never does)

        try:
            with zipfile.ZipFile(book) as archive:  # reads the central directory only
                return "META-INF/container.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False

    def prepare(self, original: bytes | Path, style: StampStyle, limits: Limits) -> Prepared:
        from stamping.epub.plan import PLANS

        data = original if isinstance(original, bytes) else original.read_bytes()
        with spending(limits):
            PLANS.open(data, style)  # refused now, in words, rather than at the first buyer
        return _Original(data, style, limits)

    def stamp(self, original: bytes, stamp: Stamp, style: StampStyle, limits: Limits) -> bytes:
        from stamping.epub.stamper import stamp_epub

        with spending(limits):
            return stamp_epub(original, stamp, style)

    def trace(
        self, data: bytes, check: Checker | None, ocr: OcrReader | None, limits: Limits
    ) -> Trace:
        from stamping.epub.tracing import CODE_MARKS, read_marks

        where: dict[str, str] = {}
        with spending(limits):
            found = read_marks(data, where)  # a book without pages: nothing for OCR to read
        evidence = [
            Evidence(order, canonical(code) if code else None, mark, None, where.get(mark))
            for mark, (order, code) in found.items()
        ]
        return Trace(findings=findings_of(evidence, check, CODE_MARKS), pages=0)

    def check(self, data: bytes, style: StampStyle, limits: Limits) -> Checked:
        from stamping.epub.preflight import check_epub, format_report, write_previews

        with spending(limits):
            report = check_epub(data, style)
        return Checked(
            format_report(report),
            report.clean,
            lambda out, stem: write_previews(report, out, stem),
        )

    def check_installed(self) -> None:
        """Nothing to install: the reading system draws an EPUB's stamp with its own fonts."""


EPUB = EpubFormat()
