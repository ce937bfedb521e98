"""Reading copies in tests: entries, the package, and the original text under the stamp.

`unstamped` removes exactly what the stamper adds to a document or an OPF;
a test that compares the result with the original proves everything else
(DOCTYPE, `dir`, `xml:lang`, SVG, MathML, spine order, identifier) is
byte for byte the producer's.
"""

from __future__ import annotations

import re

from lxml import etree

from tests.support.attacks_epub import entries

_ADDED = [
    re.compile(r' data-exlibris="[^"]*"'),
    re.compile(r"\n?<!-- exlibris \{[^<>]*\} -->"),
    re.compile(r'\n<div(?: xmlns="[^"]*")? class="exlibris-footer[ "][^>]*>.*?</div>\n', re.S),
    re.compile(
        r'<link(?: xmlns="[^"]*")? rel="stylesheet" type="text/css" href="[^"]*exlibris'
        r'[^"]*\.css"/>\n'
    ),
    re.compile(r' class="exlibris-code-[0-9A-Z-]+"'),
    re.compile(r" exlibris-code-[0-9A-Z-]+"),
    re.compile(r'\n\s*<(?:opf:)?meta name="exlibris:(?:order|code)" content="[^"]*"/>'),
    re.compile(r'\n\s*<(?:opf:)?item id="exlibris-(?:page|css)[^"]*" [^>]*/>'),
    re.compile(r'\n\s*<(?:opf:)?itemref idref="exlibris-page[^"]*"[^>]*/>'),
]
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def unstamped(text: str) -> str:
    for pattern in _ADDED:
        text = pattern.sub("", text)
    return text


def parse(data: bytes) -> etree._Element:
    """Parse as XML 1.0, strictly: a stamped document must be well-formed."""
    return etree.fromstring(data, PARSER)


__all__ = ["PARSER", "entries", "parse", "unstamped"]
