"""PDF stamping: a footer on every page after the cover, hidden marks, tracing, preflight.

`PDF` is this format's engine as the registry (stamping/formats.py) uses it;
footer/, plan/, marks/, trace/ and preflight/ are its parts.
"""

from stamping.pdf._format import PDF, stamp_pdf

__all__ = [
    "PDF",
    "stamp_pdf",
]
