"""Editing XML as text: decode and re-encode in the file's own encoding, find tags outside comments.

The stamper inserts a few elements and attributes and leaves every other
byte as the producer wrote it (entities, DOCTYPE, quoting, whitespace), which
re-serialising a parsed tree would not.
"""

from __future__ import annotations

import codecs
import pyexpat
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from xml.sax.saxutils import escape

from stamping.stamp import StampError

_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][\w.-]*)["']""")
_ATTRS = r"""(?:"[^"]*"|'[^']*'|[^'">])*"""  # a start tag's rest, quotes honoured


def parse(raw: bytes, name: str) -> ET.Element:
    """Parse XML from a book; ET.ParseError if it is not well-formed, StampError if it declares
    entities.

    The standard parser is safe here: ElementTree never fetches a DTD or an
    external entity, and expat 2.4.1 and later refuse billion-laughs and
    quadratic entity blow-ups (Python's "XML vulnerabilities" table). It has
    no switch to leave internal entities unexpanded (lxml's
    resolve_entities=False), so a document that declares any is refused
    before it is parsed (refuse_entities), as defusedxml's forbid_entities does.
    """
    if pyexpat.version_info < (2, 4, 1):
        raise StampError(f"expat {pyexpat.EXPAT_VERSION} is too old to read books safely")
    refuse_entities(raw, name)
    return ET.fromstring(raw)  # noqa: S314 - see the docstring


class _Prolog(Exception):
    """Raised from expat's handlers to stop at the root element or at an entity declaration."""


_ENTITY_TEXT = 64  # characters a plain entity may stand for (a named character, a word)


def refuse_entities(raw: bytes, name: str) -> None:
    """StampError if the DOCTYPE declares an entity that can harm a reader; reads the prolog only.

    Every reading system expands what a DOCTYPE's internal subset declares, and a
    few hundred bytes of nested entities expand to gigabytes (billion laughs) in
    every buyer's reader. EPUB 3.3 forbids external entities and still allows
    internal ones (w3c/epubcheck commit 6e44b39), and older books declare a few
    plain ones (`<!ENTITY nbsp "&#160;">`). So a plain entity passes: internal,
    general, at most _ENTITY_TEXT characters and naming no other entity; a
    parameter entity, an external one, one that nests or a long one is refused.
    A DOCTYPE that only names an external DTD (XHTML 1.1) declares nothing and
    passes: expat never loads it (Python's pyexpat docs).
    """
    parser = pyexpat.ParserCreate()
    found: list[str] = []

    def entity(entity_name: str, is_parameter: int, value: str | None, *_: object) -> None:
        plain = not is_parameter and value is not None and len(value) <= _ENTITY_TEXT
        if plain and "&" not in (value or "") and "%" not in (value or ""):
            return  # expands to no more than it says
        found.append(entity_name)
        raise _Prolog

    def root(*_: object) -> None:
        raise _Prolog

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        parser.Parse(raw, True)
    except _Prolog:
        pass
    except pyexpat.ExpatError:
        return  # not well-formed: the caller's parser or the copy's checks say so
    if found:
        raise StampError(
            f"{name} declares the entity {found[0]!r} in its DOCTYPE (external, nested, a "
            "parameter entity or a long one): every reading system would expand it, and "
            "nested entities grow to gigabytes (billion laughs); replace it with the text "
            "it stands for"
        )


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and the codec to write it back with (BOM, XML declaration, else UTF-8)."""
    if raw.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    else:
        declared = _DECLARED.match(raw)
        codec = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return raw.decode(codec), codec
    except (LookupError, UnicodeDecodeError) as exc:
        raise StampError(f"{name} cannot be read as {codec}: {exc}") from None


def encode(text: str, codec: str) -> bytes:
    """Back to bytes; characters the file's encoding lacks become character references."""
    return text.encode(codec, errors="xmlcharrefreplace")


def start_tags(text: str, local: str, start: int = 0, end: int = -1) -> Iterator[re.Match[str]]:
    """Start tags of `local` (any prefix) between start and end, outside comments and CDATA."""
    pattern = re.compile(rf"<((?:[A-Za-z_][\w.-]*:)?){local}(?=[\s/>]){_ATTRS}>")
    for match in pattern.finditer(text, start, len(text) if end < 0 else end):
        if not _hidden(text, match.start()):
            yield match


def end_tag(text: str, local: str, prefix: str, start: int = 0) -> re.Match[str] | None:
    """The last end tag of `prefix:local` after `start`, outside comments and CDATA."""
    pattern = re.compile(rf"</{re.escape(prefix)}{local}\s*>")
    at = len(text)
    while (at := text.rfind(f"</{prefix}{local}", start, at)) >= 0:
        match = pattern.match(text, at)
        if match and not _hidden(text, at):
            return match
    return None


def _hidden(text: str, at: int) -> bool:
    """Whether position `at` lies inside a comment or a CDATA section."""
    in_comment = text.rfind("<!--", 0, at) > text.rfind("-->", 0, at)
    return in_comment or text.rfind("<![CDATA[", 0, at) > text.rfind("]]>", 0, at)


def has_attribute(tag: str, name: str) -> bool:
    return re.search(rf"\s{re.escape(name)}\s*=", tag) is not None


def attr(value: str) -> str:
    """Escape for an attribute value in double quotes."""
    return escape(value, {'"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def text(value: str) -> str:
    """Escape for element content."""
    return escape(value)
