"""Opening an author's original: repair what qpdf can, refuse the rest in words."""

from __future__ import annotations

import io

import pikepdf

from stamping.stamp import StampError


def open_original(data: bytes) -> pikepdf.Pdf:
    """Open an original for stamping, repairing what qpdf can; StampError if it cannot."""
    if b"%PDF-" not in data[:1024]:
        raise StampError("this file is not a PDF (it does not start with %PDF-)")
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise StampError(
            "the PDF needs a password to open; export it again without an open password "
            "(restrictions on printing or copying are fine)"
        ) from None
    except pikepdf.PdfError as exc:
        raise StampError(f"the PDF is damaged beyond repair: {exc}") from None
