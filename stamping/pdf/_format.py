"""The PDF engine behind the registry (stamping/formats.py): detect, prepare, stamp, trace, check.

A PDF has `%PDF-` in its first kilobyte, as qpdf and every viewer require.
One copy is a plan made and used once (plan/): the footer is drawn once as a
Form XObject, every page that shares a geometry shares one small placement
stream, and the page's own content is wrapped in q/Q so whatever state it
leaves behind cannot move the footer. Nothing else in the document is
rewritten, so outline, links, named destinations, labels, forms, tags and
metadata pass through untouched. Many copies of one book: `prepare` once,
then `write` per buyer.

Each method imports the part of the engine it uses when it is first called:
a trace needs no fonts, a preflight no OCR, an EPUB none of this, and the
command line starts in a fraction of the time a full import takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from stamping.format import Checked, Prepared
from stamping.limits import Limits
from stamping.stamp import Stamp
from stamping.style import StampStyle
from stamping.trace import Checker, OcrReader, Original, Trace


class PdfFormat:
    name = "pdf"

    def detect(self, book: BinaryIO) -> bool:
        book.seek(0)
        return b"%PDF-" in book.read(1024)

    def prepare(self, original: bytes | Path, style: StampStyle, limits: Limits) -> Prepared:
        from stamping.pdf.plan import prepare_plan

        return prepare_plan(original, style, limits)

    def stamp(self, original: bytes, stamp: Stamp, style: StampStyle, limits: Limits) -> bytes:
        from stamping.pdf.plan import prepare_plan

        return prepare_plan(original, style, limits).copy(stamp)

    def trace(
        self,
        data: bytes,
        check: Checker | None,
        ocr: OcrReader | None,
        limits: Limits,
        original: Original | None = None,
    ) -> Trace:
        from stamping.pdf.trace import trace_pdf

        return trace_pdf(data, check, ocr, limits, original)

    def check(self, data: bytes, style: StampStyle, limits: Limits) -> Checked:
        from stamping.pdf.preflight import check_pdf, format_report, write_previews

        report = check_pdf(data, style, limits)
        return Checked(
            format_report(report),
            report.clean,
            lambda out, stem: write_previews(report, out, stem),
        )

    def check_installed(self) -> None:
        from stamping.pdf.footer import check_fonts

        check_fonts()  # the base font only: other scripts' fonts are opened when a name needs them


def stamp_pdf(original: bytes, stamp: Stamp, style: StampStyle = StampStyle()) -> bytes:  # noqa: B008 - frozen
    """Return the personal copy of `original` for `stamp`."""
    from stamping.pdf.plan import prepare_plan

    return prepare_plan(original, style).copy(stamp)


PDF = PdfFormat()
