"""PDF stamping: a footer on every page after the cover, hidden marks, tracing, preflight."""

from stamping.pdf._stamper import stamp_pdf

__all__ = [
    "stamp_pdf",
]
