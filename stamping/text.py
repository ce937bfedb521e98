"""The stamp's text: the catalog template filled with the buyer, kept on one line.

Shared by the PDF footer and the EPUB pages. Buyer data is normalised where
the message is made; this is the last guard for the visible stamp.
"""

from __future__ import annotations

import unicodedata

from stamping.stamp import Stamp
from stamping.style import StampStyle

_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ shape Persian and Indic names: keep them


def stamp_text(stamp: Stamp, style: StampStyle) -> str:
    """The footer line; control characters in buyer data become spaces so it stays one line."""
    fields = {"name": stamp.name, "email": stamp.email, "order": stamp.order_id, "code": stamp.code}
    clean = {k: one_line(v) for k, v in fields.items()}
    return style.template.format(**clean)


def one_line(text: str) -> str:
    """Control and format characters become spaces (bidi overrides could disguise the
    footer), except the joiners that spell a name correctly."""
    return "".join(
        " " if unicodedata.category(ch)[0] == "C" and ch not in _JOINERS else ch for ch in text
    ).strip()
