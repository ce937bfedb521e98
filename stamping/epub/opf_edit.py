"""The stamped copy's package document: the original's text with three insertions.

Two <meta name="exlibris:…"> at the end of <metadata>, the page and its CSS
at the end of <manifest>, one <itemref> after the cover's. Nothing else is
touched, so the unique identifier (the key of font obfuscation), the spine
order and every other byte stay as the producer wrote them. The OPF2-style
name/content meta is valid in EPUB 2 and 3 alike and needs no prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import stamping.epub.marks as marks
import stamping.epub.xmltext as xmltext
from stamping.epub.package import Package
from stamping.stamp import StampError

_IDREF = re.compile(r"""\sidref\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Addition:
    order_id: str
    code: str
    page_id: str
    page_href: str
    css_id: str
    css_href: str
    after_idref: str | None  # the cover's itemref; None: the page opens the spine
    page_properties: str  # e.g. "rendition:page-spread-center" in a fixed-layout book


def edit_opf(package: Package, add: Addition) -> bytes:
    """The new OPF, encoded as the original was."""
    text = package.text
    text = _before_end(text, "metadata", lambda p: _metas(p, add))
    text = _before_end(text, "manifest", lambda p: _items(p, add))
    text = _insert_itemref(text, add)
    return xmltext.encode(text, package.codec)


def _before_end(text: str, local: str, make: Callable[[str], str]) -> str:
    """Insert make(prefix) before the end tag of `local` (prefix: "opf:" or "")."""
    start = next(xmltext.start_tags(text, local), None)
    if start is None or start.group(0).endswith("/>"):
        raise StampError(f"the package document has no <{local}> to add to")
    end = xmltext.end_tag(text, local, start.group(1), start.end())
    if end is None:
        raise StampError(f"the package document's <{local}> is not closed")
    at = len(text[: end.start()].rstrip())  # after the last child, before the end tag's indent
    return text[:at] + make(start.group(1)) + text[at:]


def _metas(p: str, add: Addition) -> str:
    return "".join(
        f'\n    <{p}meta name="{name}" content="{xmltext.attr(value)}"/>'
        for name, value in ((marks.META_ORDER, add.order_id), (marks.META_CODE, add.code))
    )


def _items(p: str, add: Addition) -> str:
    return "".join(
        f'\n    <{p}item id="{id_}" href="{xmltext.attr(href)}" media-type="{media_type}"/>'
        for id_, href, media_type in (
            (add.page_id, add.page_href, "application/xhtml+xml"),
            (add.css_id, add.css_href, "text/css"),
        )
    )


def _insert_itemref(text: str, add: Addition) -> str:
    spine = next(xmltext.start_tags(text, "spine"), None)
    if spine is None or spine.group(0).endswith("/>"):
        raise StampError("the package document's spine is empty")
    end = xmltext.end_tag(text, "spine", spine.group(1), spine.end())
    if end is None:
        raise StampError("the package document's <spine> is not closed")
    props = f' properties="{add.page_properties}"' if add.page_properties else ""
    itemref = f'\n    <{spine.group(1)}itemref idref="{add.page_id}"{props}/>'
    at = spine.end()
    for ref in xmltext.start_tags(text, "itemref", spine.end(), end.start()):
        if add.after_idref is not None and _idref(ref.group(0)) == add.after_idref:
            at = ref.end()
            break
    return text[:at] + itemref + text[at:]


def _idref(tag: str) -> str | None:
    found = _IDREF.search(tag)
    return (found.group(1) or found.group(2) or "").strip() if found else None
