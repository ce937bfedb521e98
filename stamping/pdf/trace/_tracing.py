"""Tracing: every order a (possibly tampered or merged) copy names, and where it names it.

Each mark is read independently (stamping/pdf/marks for the hidden ones,
_page_text.py for the visible stamp and the body mark, an OCR reader for pages
without a text layer) and every piece of evidence is kept with its page. A
file stitched from two buyers' copies therefore names both, each with its
pages. The engine does not hold the shop's secret: the caller passes a
checker that says whether a code is authentic (and, as a CodeCheck, whether
it was issued for the order a mark names), and a code that fails it is
reported as forged (stamping/evidence.py).
"""

from __future__ import annotations

import io

import pikepdf

from stamping.evidence import Evidence, findings_of
from stamping.limits import Limits, spending
from stamping.ocr import OcrFailed
from stamping.pdf._geometry import page_geometry
from stamping.pdf._original import check_pages, check_structure, describe
from stamping.pdf.marks import document_marks, page_marks, read_body_text
from stamping.pdf.trace._code_search import codes_in_ocr, codes_in_text
from stamping.pdf.trace._lines import line_evidence
from stamping.pdf.trace._page_text import page_runs
from stamping.stamp import TraceError
from stamping.trace import Checker, OcrReader, Original, Trace, canonical

# The order a finding lists its marks in: the whole document's, then each page's.
MARKS = ("docinfo", "xmp", "id", "pieceinfo", "content", "footer", "body", "text", "ocr", "lines")


def trace_pdf(
    data: bytes,
    check: Checker | None = None,
    ocr: OcrReader | None = None,
    limits: Limits | None = None,
    original: Original | None = None,
) -> Trace:
    """Every order the copy names: hidden marks, the visible stamp, the body mark, OCR, and
    with the original the line-shift mark.

    LimitExceeded (a TraceError) for a file that costs more than the limits allow."""
    with spending(limits):
        return _traced(data, check, ocr, original)


def _traced(
    data: bytes, check: Checker | None, ocr: OcrReader | None, original: Original | None
) -> Trace:
    check_structure(data)  # what qpdf would inflate on its own, before it opens the file
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:  # not a PdfError: pikepdf raises it beside, not under
        raise TraceError(
            "the PDF needs a password to open; if you have it, save a copy without it "
            "(qpdf --password=PASSWORD --decrypt IN.pdf OUT.pdf) and trace that"
        ) from None
    except (pikepdf.PdfError, ValueError) as exc:
        raise TraceError(f"cannot read this file as a PDF ({describe(exc)})") from None
    notes: list[str] = []
    with pdf:
        check_pages(pdf)
        evidence = [Evidence(o, _code(c), m, None) for m, (o, c) in document_marks(pdf).items()]
        blank: dict[int, tuple[float, float]] = {}
        for number, page in enumerate(pdf.pages, start=1):
            found, has_text = _page_evidence(page, number, check)
            evidence += found
            if not has_text:
                blank[number] = page_geometry(page.obj).reader_size
        pages = len(pdf.pages)
    if blank and ocr is not None:
        evidence += _ocr_evidence(data, blank, ocr, check, notes)
    elif blank:
        notes.append(f"{len(blank)} page(s) have no text layer and were not read by OCR")
    if original is not None:
        evidence += line_evidence(data, pages, original, (evidence, check), notes)
    return Trace(findings=findings_of(evidence, check, MARKS), pages=pages, notes=tuple(notes))


def _page_evidence(
    page: pikepdf.Page, number: int, check: Checker | None
) -> tuple[list[Evidence], bool]:
    """Evidence one page carries, and whether it has any text at all."""
    found = [Evidence(o, _code(c), m, number) for m, (o, c) in page_marks(page.obj).items()]
    runs = page_runs(page)
    for run in runs:
        body = read_body_text(run.text) if run.invisible else None
        if body is not None:
            found.append(Evidence(body[1], canonical(body[0]), "body", number))
        else:
            codes = codes_in_text(run.text, check)
            found += [Evidence(None, code, "text", number) for code in codes]
    return found, bool(runs)


def _ocr_evidence(
    data: bytes,
    pages: dict[int, tuple[float, float]],
    ocr: OcrReader,
    check: Checker | None,
    notes: list[str],
) -> list[Evidence]:
    try:
        texts = ocr(data, pages)
    except OcrFailed as exc:
        notes.append(f"{len(pages)} page(s) have no text layer; OCR could not read them: {exc}")
        return []
    found = []
    for number, text in sorted(texts.items()):
        authentic, unread = codes_in_ocr(text, check or (lambda _code: True))
        found += [Evidence(None, code, "ocr", number) for code in authentic]
        notes += [f"page {number}: OCR read {u}, which is no authentic code" for u in unread]
    notes.append(f"{len(pages)} page(s) have no text layer: OCR read {len(texts)} of them")
    return found


def _code(text: str | None) -> str | None:
    return canonical(text) if text else None


__all__ = ["TraceError", "trace_pdf"]
