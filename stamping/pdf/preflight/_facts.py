"""The facts of a PDF an author needs before launch: pages, bookmarks, links, geometry, fonts.

Read from damaged books as well as sound ones: a null among the annotations,
a font named in GBK rather than UTF-8 or an outline qpdf cannot walk is
reported as what it is, never raised.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pikepdf

from stamping.pdf._geometry import page_geometry


@dataclass(frozen=True)
class Facts:
    pages: int
    outline_items: int | None  # None: the outline is there but cannot be read
    links: int
    encryption: str
    geometries: dict[str, int]
    fonts: tuple[str, ...]


def read_facts(pdf: pikepdf.Pdf) -> Facts:
    """Count what matters to a reader: pages, bookmarks, links; describe geometry and fonts."""
    geometries: Counter[str] = Counter()
    fonts: set[str] = set()
    links = 0
    for page in pdf.pages:
        g = page_geometry(page.obj)
        w, h = g.reader_size
        geometries[f"{w:g}x{h:g} pt, rotated {g.rotate}"] += 1
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            links += sum(
                isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") == pikepdf.Name.Link
                for a in annots
            )
        resources = page.obj.get("/Resources")
        table = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(table, pikepdf.Dictionary):
            for font in table.values():  # items() and get() choke on names not in UTF-8
                if isinstance(font, pikepdf.Dictionary):
                    fonts.add(font_name(font))
    return Facts(
        len(pdf.pages),
        outline_items(pdf),
        links,
        _encryption(pdf),
        dict(geometries),
        tuple(sorted(fonts)),
    )


def outline_items(pdf: pikepdf.Pdf) -> int | None:
    """Bookmarks in the outline; None when pikepdf cannot walk it."""
    try:
        return _count(pdf.open_outline().root)  # read only: no `with`, which writes it back
    except Exception:  # pikepdf raises whatever the damage makes it raise
        return None


def _count(items: list[pikepdf.OutlineItem]) -> int:
    return sum(1 + _count(item.children) for item in items)


def font_name(font: pikepdf.Dictionary) -> str:
    """The font's name and whether it is embedded; names in GBK and the like are decoded."""
    name = _name_text(font.get("/BaseFont")) or "unnamed"
    descendants = font.get("/DescendantFonts")
    first = descendants[0] if isinstance(descendants, pikepdf.Array) and len(descendants) else font
    descriptor = first.get("/FontDescriptor") if isinstance(first, pikepdf.Dictionary) else None
    embedded = isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    return f"{name} ({'embedded' if embedded else 'not embedded'})"


def _name_text(value: object) -> str | None:
    """A PDF name as text: UTF-8 when it is, else GB 18030 (Chinese fonts), else Latin-1."""
    if not isinstance(value, pikepdf.Name):
        return None
    raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), value.unparse())
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw[1:].decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw[1:].decode("latin-1")


def _encryption(pdf: pikepdf.Pdf) -> str:
    if not pdf.is_encrypted:
        return "none"
    return "owner password only (opens freely; restrictions are kept in copies)"
