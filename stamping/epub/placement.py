"""Where the ex-libris page goes (right after the cover), what it is called, and its page size.

The cover is what the book says it is: the guide's `cover` reference (EPUB 2
and many EPUB 3 books), the nav's `landmarks` entry of epub:type "cover", a
spine document named cover, or one that shows the cover image; only among
the first three spine documents, since a cover opens a book. A book without
one gets the page first. A fixed-layout page takes the viewport of the book's
first fixed-layout document, so it is a page of the book's own size.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET

import stamping.epub.xmltext as xmltext
from stamping.epub.archive import Archive
from stamping.epub.package import XHTML, Package, resolve
from stamping.stamp import StampError

_LOOK_AT = 3
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
_VIEWPORT = re.compile(r"""<meta\s[^>]*name\s*=\s*["']viewport["'][^>]*>""", re.I)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SIZE = re.compile(r"(width|height)\s*=\s*(\d+(?:\.\d+)?)", re.I)
DEFAULT_VIEWPORT = (1200, 1600)


def cover_index(archive: Archive, package: Package) -> int | None:
    """The spine index of the cover document, if the book has one near the front."""
    front = package.spine[:_LOOK_AT]
    named = {package.guide_cover, _landmark_cover(archive, package)} - {None}
    for n, ref in enumerate(front):
        if ref.item.path in named:
            return n
    for n, ref in enumerate(front):
        stem = posixpath.basename(ref.item.path).lower()
        if "cover" in ref.item.id.lower() or "cover" in stem:
            return n
    image = package.cover_image
    if image and front and front[0].item.media_type == XHTML and archive.has(front[0].item.path):
        first = archive.read(front[0].item.path, limit=1 << 20)
        if posixpath.basename(image).encode() in first:
            return 0
    return None


def _landmark_cover(archive: Archive, package: Package) -> str | None:
    nav = package.nav
    if nav is None or not archive.has(nav.path):
        return None
    try:
        root = xmltext.parse(archive.read(nav.path, limit=8 << 20), nav.path)
    except (ET.ParseError, StampError):
        return None  # a nav with named entities or worse: no landmark, no harm
    for element in root.iter():
        if element.tag.endswith("}nav") and "landmarks" in element.get(_EPUB_TYPE, "").split():
            for link in element.iter():
                if "cover" in link.get(_EPUB_TYPE, "").split() and link.get("href"):
                    return resolve(posixpath.dirname(nav.path), link.get("href", ""))
    return None


def viewport(archive: Archive, package: Package) -> tuple[int, int]:
    """The width and height (CSS px) of the first fixed-layout XHTML document that says."""
    for ref in package.spine:
        if ref.fixed and ref.item.media_type == XHTML and archive.has(ref.item.path):
            head = archive.read(ref.item.path)[:8192].decode("utf-8", "replace")
            if size := parse_viewport(head):
                return size
    return DEFAULT_VIEWPORT


def parse_viewport(head: str) -> tuple[int, int] | None:
    meta = _VIEWPORT.search(head)
    content = _CONTENT.search(meta.group(0)) if meta else None
    if content is None:
        return None
    sizes = {k.lower(): float(v) for k, v in _SIZE.findall(content.group(1) or content.group(2))}
    if "width" in sizes and "height" in sizes and min(sizes.values()) >= 1:
        return round(sizes["width"]), round(sizes["height"])
    return None


def free_name(archive: Archive, folder: str, stem: str, suffix: str) -> str:
    """A zip path in `folder` no entry has (in any case): `stem.suffix`, else `stem-2.suffix`, …"""
    taken = {name.lower() for name in archive.names}
    for n in range(1, 1000):
        name = f"{stem}.{suffix}" if n == 1 else f"{stem}-{n}.{suffix}"
        path = posixpath.join(folder, name) if folder else name
        if path.lower() not in taken:
            return path
    raise StampError("the EPUB holds a thousand exlibris files already")


def free_id(taken: frozenset[str], base: str) -> str:
    """An XML id the OPF does not use yet."""
    candidates = (base if n == 0 else f"{base}-{n}" for n in range(1000))
    return next(c for c in candidates if c not in taken)
