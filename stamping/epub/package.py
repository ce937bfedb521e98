"""The package document (OPF) as the stamper needs it: version, identifier, manifest, spine, layout.

Read with the standard library's XML parser (expat: no DTDs fetched, no
external entities); the stamper never re-serialises the tree, it edits the
OPF's text (opf_edit.py), so everything it does not add stays byte for byte.
Fixed layout is EPUB 3's `rendition:layout` (global, or per itemref), or
Apple's `fixed-layout` display option for EPUB 2 books.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import unquote

import stamping.epub.xmltext as xmltext
from stamping.epub.archive import Archive
from stamping.stamp import StampError

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
APPLE_OPTIONS = "META-INF/com.apple.ibooks.display-options.xml"
XHTML = "application/xhtml+xml"
_ABSOLUTE = re.compile(r"^(?:[/\\]|[A-Za-z][A-Za-z0-9+.-]*:)")  # a root, a drive or a scheme
SVG = "image/svg+xml"


@dataclass(frozen=True)
class Item:
    id: str
    href: str
    path: str  # the entry's name in the zip
    media_type: str
    properties: frozenset[str]


@dataclass(frozen=True)
class Itemref:
    item: Item
    linear: bool
    fixed: bool  # pre-paginated (fixed-layout)


@dataclass(frozen=True)
class Package:
    path: str
    text: str
    codec: str  # the OPF's encoding, to write it back in
    version: str
    unique_id: str | None
    language: str
    direction: str  # page-progression-direction: "ltr", "rtl" or "default"
    items: dict[str, Item]
    spine: tuple[Itemref, ...]
    fixed: bool  # the global layout
    guide_cover: str | None  # the zip path the guide names as the cover
    cover_image: str | None  # the zip path of the cover image (cover-image, or meta name=cover)
    ids: frozenset[str]  # every id in the OPF, so new ones do not collide
    types: frozenset[str] = frozenset()  # dc:type values, lower case: "edupub", "index", …

    @property
    def epub3(self) -> bool:
        return self.version.startswith("3")

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def edupub(self) -> bool:
        """EDUPUB (dc:type edupub): body content in sections, each with a heading."""
        return "edupub" in self.types

    @property
    def nav(self) -> Item | None:
        return next((i for i in self.items.values() if "nav" in i.properties), None)


def read_package(archive: Archive) -> Package:
    """Find the OPF through META-INF/container.xml and read it; StampError if it is unusable."""
    path = _rootfile(archive)
    raw = archive.read(path)
    root = _parse(raw, path)
    text, codec = xmltext.decode(raw, path)
    if root.tag != f"{OPF}package":
        raise StampError(f"{path} is not an OPF package document")
    items = _manifest(root, posixpath.dirname(path))
    meta = {m.get("property"): (m.text or "").strip() for m in root.iter(f"{OPF}meta")}
    fixed = meta.get("rendition:layout") == "pre-paginated" or _apple_fixed(archive)
    spine = root.find(f"{OPF}spine")
    if spine is None:
        raise StampError(f"{path} has no spine")
    return Package(
        path=path,
        text=text,
        codec=codec,
        version=(root.get("version") or "2.0").strip(),
        unique_id=_unique_id(root),
        language=next((e.text.strip() for e in root.iter(f"{DC}language") if e.text), ""),
        direction=spine.get("page-progression-direction", "default"),
        items=items,
        spine=_spine(spine, items, fixed, path),
        fixed=fixed,
        guide_cover=_guide_cover(root, posixpath.dirname(path)),
        cover_image=_cover_image(root, items),
        ids=frozenset(_xml_id(e, "id") for e in root.iter()) - {""},
        types=frozenset((e.text or "").strip().lower() for e in root.iter(f"{DC}type")),
    )


def resolve(folder: str, href: str) -> str:
    """The zip entry an href (relative to `folder`, percent-encoded) points at."""
    target = unquote(href.split("#", 1)[0])
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def _rootfile(archive: Archive) -> str:
    name = "META-INF/container.xml"
    if not archive.has(name):
        raise StampError("this zip is not an EPUB: it has no META-INF/container.xml")
    root = _parse(archive.read(name), name)
    paths = list(
        dict.fromkeys(
            path
            for rootfile in root.iter(f"{CONTAINER}rootfile")
            if (path := rootfile.get("full-path"))
            and rootfile.get("media-type", "") == "application/oebps-package+xml"
        )
    )
    if not paths:
        raise StampError("META-INF/container.xml names no package document")
    if len(paths) > 1:
        # EPUB Multiple-Rendition Publications: a reading system opens whichever rendition
        # suits it (often the first, but not always), so one unmarked rendition is a copy
        # without a stamp.
        listed = ", ".join(paths[:5]) + (", …" if len(paths) > 5 else "")
        raise StampError(
            f"META-INF/container.xml lists {len(paths)} renditions ({listed}): a reading "
            "system may open any of them, and only one would carry the stamp; publish each "
            "rendition as a book of its own"
        )
    if not archive.has(paths[0]):
        raise StampError(f"container.xml names {paths[0]}, which is not in the EPUB")
    return paths[0]


def _parse(raw: bytes, name: str) -> ET.Element:
    try:
        return xmltext.parse(raw, name)
    except ET.ParseError as exc:
        raise StampError(f"{name} is not well-formed XML: {exc}") from None


def _manifest(root: ET.Element, folder: str) -> dict[str, Item]:
    items = {}
    for e in root.iterfind(f"{OPF}manifest/{OPF}item"):
        id_, href = _xml_id(e, "id"), e.get("href")
        if id_ and href:
            path = resolve(folder, href)
            props = frozenset((e.get("properties") or "").split())
            items[id_] = Item(id_, href, path, (e.get("media-type") or "").strip(), props)
    return items


def _spine(spine: ET.Element, items: dict[str, Item], fixed: bool, opf: str) -> tuple[Itemref, ...]:
    refs = []
    for e in spine.iterfind(f"{OPF}itemref"):
        item = items.get(_xml_id(e, "idref"))
        if item is None:
            continue  # epubcheck's problem, not ours: the reading system skips it too
        if _outside(item):
            raise StampError(
                f"the spine of {opf} lists {item.href} (id {item.id!r}), which points outside "
                "the EPUB: a reading system would look for it on the reader's device or the web, "
                "and no copy could carry the stamp there; put the document in the book"
            )
        props = set((e.get("properties") or "").split())
        own = {"rendition:layout-pre-paginated": True, "rendition:layout-reflowable": False}
        layout = next((own[p] for p in props if p in own), fixed)
        refs.append(Itemref(item, e.get("linear", "yes").strip() != "no", layout))
    return tuple(refs)


def _xml_id(e: ET.Element, name: str) -> str:
    """An ID or IDREF attribute as a validating parser reads it: XML 1.0 (3.3.3) normalises
    tokenized attributes, so id=" c1 " is c1, and epubcheck matches idrefs to it so."""
    return " ".join((e.get(name) or "").split())


def _outside(item: Item) -> bool:
    """Whether the item's href is absolute (`/x`, `C:x`, a URL) or climbs out of the zip (`../`):
    EPUB 3.3 keeps spine items inside the container (epubcheck RSC-006 for remote ones)."""
    target = unquote(item.href.split("#", 1)[0]).strip()
    return bool(_ABSOLUTE.match(target)) or item.path == ".." or item.path.startswith("../")


def _unique_id(root: ET.Element) -> str | None:
    wanted = _xml_id(root, "unique-identifier")
    for e in root.iter(f"{DC}identifier"):
        if _xml_id(e, "id") == wanted:
            return e.text or ""
    return None


def _guide_cover(root: ET.Element, folder: str) -> str | None:
    for ref in root.iterfind(f"{OPF}guide/{OPF}reference"):
        if (ref.get("type") or "").strip().lower() == "cover" and ref.get("href"):
            return resolve(folder, ref.get("href", ""))
    return None


def _cover_image(root: ET.Element, items: dict[str, Item]) -> str | None:
    image = next((i for i in items.values() if "cover-image" in i.properties), None)
    if image is None:
        named = {m.get("name"): m.get("content") for m in root.iter(f"{OPF}meta")}
        image = items.get(named.get("cover") or "")
    return image.path if image is not None else None


def _apple_fixed(archive: Archive) -> bool:
    """Apple's display options: how EPUB 2 books declared fixed layout."""
    if not archive.has(APPLE_OPTIONS):
        return False
    try:
        root = xmltext.parse(archive.read(APPLE_OPTIONS, limit=1 << 20), APPLE_OPTIONS)
    except (ET.ParseError, StampError):
        return False
    return any(
        o.get("name") == "fixed-layout" and (o.text or "").strip() == "true"
        for o in root.iter("option")
    )
