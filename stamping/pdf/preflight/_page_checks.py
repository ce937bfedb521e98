"""Per-page warnings of the preflight: what a reader of the copies would notice.

- Content that poppler (Evince, Okular, pdftotext) stops drawing part-way: an
  operator short of its operands ends the page there. The stamp redraws the
  pages its cheap check finds broken as forms (isolation.py); this parses
  every page in full, so it also names those the cheap check lets through.
- Pages under about 100 pt on a side, where a footer line cannot be read.
"""

from __future__ import annotations

from collections import Counter

import pikepdf

from stamping.limits import current
from stamping.pdf._geometry import page_geometry
from stamping.pdf.plan import PARSED_AT_MOST, content_bytes, content_fault, looks_unbalanced

SMALLEST_LEGIBLE = 100.0  # points: below this the footer is shrunk past reading
_LISTED = 5  # pages named per warning; the rest are counted


def page_warnings(pdf: pikepdf.Pdf) -> list[str]:
    """Warnings about the pages' content and size, in words, a few pages named each."""
    faults: list[str] = []
    unlisted = 0
    small: Counter[tuple[float, float]] = Counter()
    budget = current()
    for number, page in enumerate(pdf.pages, start=1):
        budget.tick("checking this PDF")
        fault = _fault(page)
        if fault is not None and len(faults) < _LISTED:
            faults.append(f"page {number}: {fault}")
        elif fault is not None:
            unlisted += 1
        width, height = page_geometry(page.obj).reader_size
        if min(width, height) < SMALLEST_LEGIBLE:
            small[(width, height)] += 1
    if unlisted:
        faults.append(f"{unlisted} more page(s) with broken content")
    sizes = [
        f"{count} page(s) of {w:g}x{h:g} pt are too small for a legible footer "
        f"(under {SMALLEST_LEGIBLE:g} pt)"
        for (w, h), count in small.items()
    ]
    return faults + sizes


def _fault(page: pikepdf.Page) -> str | None:
    data = content_bytes(page.obj)
    if data is None:
        return "its content cannot be decoded; viewers show what they can of it"
    if len(data) > PARSED_AT_MOST:  # the full parse would hold twenty times that
        return (
            "its content is unbalanced (stamped, such a page is drawn as a form)"
            if looks_unbalanced(data)
            else None
        )
    fault = content_fault(page, data) if data.strip() else None
    if fault is None:
        return None
    if looks_unbalanced(data):
        return f"{fault} (stamped, such a page is drawn as a form, so the footer shows)"
    return f"{fault}: poppler-based viewers stop drawing the page there, footer included"
