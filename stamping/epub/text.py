"""Buyer data as XHTML: cleaned to one line of valid XML characters, escaped, isolated for bidi.

A name may hold `<`, `&`, right-to-left or CJK text, or characters XML 1.0
forbids; it must come out as text that parses and renders, never as markup.
Each field is isolated from the template's direction (HTML's <bdi> in EPUB 3,
Unicode's FSI…PDI in EPUB 2, whose XHTML 1.1 has no <bdi>), so an Arabic
name in an English sentence (or the reverse) keeps the punctuation in place.
"""

from __future__ import annotations

import string
import unicodedata

import stamping.epub.xmltext as xmltext
from stamping.stamp import Stamp, StampError

_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ spell Persian and Indic names: keep them
FSI, PDI = "\u2068", "\u2069"


def fields(stamp: Stamp) -> dict[str, str]:
    """The template's placeholders, each cleaned to one line."""
    raw = {"name": stamp.name, "email": stamp.email, "order": stamp.order_id, "code": stamp.code}
    return {key: one_line(value) for key, value in raw.items()}


def one_line(text: str) -> str:
    """Control, format, surrogate and unassigned characters become spaces (which also drops
    everything XML 1.0 forbids and the bidi overrides that could disguise a name)."""
    return "".join(
        " " if unicodedata.category(ch)[0] == "C" and ch not in _JOINERS else ch for ch in text
    ).strip()


def render(template: str, stamp: Stamp, *, epub3: bool) -> str:
    """The template as XHTML inline content: literal text escaped, each field isolated."""
    values = fields(stamp)
    out = []
    for literal, field, spec, _ in string.Formatter().parse(template):
        out.append(xmltext.text(literal))
        if field is None:
            continue
        try:
            value = xmltext.text(format(values[field], spec or ""))
        except (KeyError, ValueError) as exc:
            raise StampError(f"the template {template!r} has a bad placeholder: {exc}") from None
        out.append(f"<bdi>{value}</bdi>" if epub3 else f"{FSI}{value}{PDI}")
    return "".join(out)
