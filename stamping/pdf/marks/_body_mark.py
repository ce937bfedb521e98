"""The body mark: the code and order as invisible text inside the page body.

The footer can be deleted and the hidden marks stripped; a ghostscript
re-distill (`gs -sDEVICE=pdfwrite`) rebuilds the whole file and keeps only
what is drawn. Invisible text is drawn: render mode 3 (neither fill nor
stroke) is how scanned books carry their OCR layer, so ghostscript, qpdf,
MuPDF and pdftk keep it, and the page looks exactly as before.

It is written into each geometry's closing stream (a per-copy slot), after
the page's own content and apart from the footer form, so deleting the
footer's `Do` or its XObject leaves it. Where it sits is derived from the
code and the geometry, so it is somewhere else in every buyer's copy and on
every page size. It is marked as an /Artifact, which assistive technology
skips in tagged books. Its font is the standard Helvetica under a resource
name layout.py picks per book (PDF/A exempts invisible text from embedding).
"""

from __future__ import annotations

import hashlib
import re

from stamping.pdf._geometry import Geometry, format_matrix

SIZE = 6.0  # points: small, so a reader selecting a paragraph rarely catches it
_ADVANCE = 0.6  # Helvetica's average advance per character, in ems: enough to keep it on the page
_ORDER = re.compile(r"[!-~]{1,64}")  # printable ASCII without spaces: WinAnsi draws it as is
_CODE = r"[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}"
BODY_TEXT = re.compile(rf"^\s*({_CODE})(?:\s+([!-~]{{1,64}}))?\s*$")


def mark_text(code: str, order_id: str) -> str:
    """What the mark says: the code, then the order id when WinAnsi can carry it unchanged."""
    return f"{code} {order_id}" if _ORDER.fullmatch(order_id) else code


def body_mark(geometry: Geometry, code: str, order_id: str, font: str) -> bytes:
    """Content operators drawing the mark invisibly at this copy's spot on this geometry."""
    text = mark_text(code, order_id)
    x, y = position(geometry, code, len(text))
    to_page = format_matrix(geometry.to_page())
    literal = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return (
        f"/Artifact BMC q {to_page} cm BT 3 Tr /{font.lstrip('/')} {SIZE:g} Tf "
        f"{x:.2f} {y:.2f} Td ({literal}) Tj ET Q EMC\n"
    ).encode("ascii")


def position(geometry: Geometry, code: str, chars: int) -> tuple[float, float]:
    """Reader-space origin of the mark: inside the middle of the page, derived from the copy."""
    width, height = geometry.reader_size
    digest = hashlib.sha256(f"{code}|{geometry.box}|{geometry.rotate}".encode()).digest()
    fx, fy = digest[0] / 255, digest[1] / 255
    room = max(width - 2 * 36 - chars * SIZE * _ADVANCE, 0.0)
    return min(36.0, width / 4) + fx * room, height * (0.3 + 0.4 * fy)


def read_body_text(text: str) -> tuple[str, str | None] | None:
    """(code, order id or None) when a run of invisible text is a body mark."""
    found = BODY_TEXT.match(text)
    return (found.group(1), found.group(2)) if found else None
