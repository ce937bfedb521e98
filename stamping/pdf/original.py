"""Opening an author's original: repair what qpdf can, refuse the rest in words."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from stamping.stamp import StampError


def open_original(data: bytes | Path) -> pikepdf.Pdf:
    """Open an original (bytes, or a file qpdf reads as it goes); StampError if it cannot."""
    head = data[:1024] if isinstance(data, bytes) else _head(data)
    if b"%PDF-" not in head:
        raise StampError("this file is not a PDF (it does not start with %PDF-)")
    try:
        return pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    except pikepdf.PasswordError:
        raise StampError(
            "the PDF needs a password to open; export it again without an open password "
            "(restrictions on printing or copying are fine)"
        ) from None
    except pikepdf.PdfError as exc:
        raise StampError(f"the PDF is damaged beyond repair: {exc}") from None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(1024)
