"""Tracing: which order a stamped copy was issued for, from whatever marks survive.

A leaked copy may have lost its footer, its metadata or both; each mark in
worker/marks.py is read independently and the most telling one wins. The
result names every mark found, so support can judge how tampered a copy is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from stamping.pdf.marks import read_marks

# Marks that carry the order id, most reliable first, then those with the code only.
_ORDER_MARKS = ("docinfo", "xmp", "pieceinfo", "content")
_CODE_MARKS = (*_ORDER_MARKS, "footer", "id")


@dataclass(frozen=True)
class Trace:
    order_id: str | None
    code: str | None
    marks: tuple[str, ...]  # which marks were found


class TraceError(Exception):
    """The file cannot be read as a PDF at all."""


def trace_pdf(data: bytes) -> Trace:
    """Read every surviving mark of a (possibly tampered) copy."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise TraceError(f"cannot read this file as a PDF: {exc}") from None
    with pdf:
        found = read_marks(pdf)
    order = next((found[m][0] for m in _ORDER_MARKS if m in found and found[m][0]), None)
    code = next((found[m][1] for m in _CODE_MARKS if m in found and found[m][1]), None)
    return Trace(order_id=order, code=code, marks=tuple(m for m in _CODE_MARKS if m in found))
