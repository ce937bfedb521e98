"""What a copy gets where: the ex-libris page after the cover, marks and footers in the spine.

Every XHTML or SVG spine document gets the hidden marks, except the nav
document (left byte-identical) and anything encryption.xml lists. The footer
goes at the end of the linear XHTML documents other than the cover: on every
one with `footer = "chapters"`, on the reflowable ones only with "auto" (a
fixed-layout page has no room below its content), on none with "none".
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from stamping.epub.archive import Archive
from stamping.epub.book import Book, open_archive
from stamping.epub.encryption import Encrypted
from stamping.epub.exlibris import Page
from stamping.epub.package import SVG, XHTML, Package
from stamping.epub.placement import cover_index, free_id, free_name, viewport
from stamping.limits import LimitExceeded, current, size
from stamping.stamp import StampError
from stamping.style import FOOTERS, StampStyle

# Languages written right to left: the ex-libris page (in the book's language) gets dir="rtl".
_RTL_LANGUAGES = frozenset(
    ["ar", "arc", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "ug", "ur", "yi"]
)


@dataclass(frozen=True)
class Target:
    path: str
    svg: bool
    footer: bool
    fixed: bool


@dataclass(frozen=True)
class Plan:
    cover: int | None  # spine index of the cover the page follows; None: the page comes first
    page_path: str
    css_path: str
    page_id: str
    css_id: str
    page: Page
    targets: tuple[Target, ...]  # the spine documents that get marks


_Enc = tuple[Encrypted, ...]


class _Plans:
    """The last few books' packages and plans, by central directory (names, CRCs, sizes, offsets
    of every entry) and style: the worker stamps one original for every buyer."""

    def __init__(self, size: int = 16) -> None:
        self._items: OrderedDict[tuple[bytes, StampStyle], tuple[Package, _Enc, Plan]] = (
            OrderedDict()
        )
        self._size, self._lock = size, threading.Lock()

    def open(self, data: bytes, style: StampStyle) -> tuple[Book, Plan]:
        archive = Archive(data)
        key = (archive.directory, style)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
        if hit is not None:
            return Book(archive, hit[0], hit[1]), hit[2]
        book = open_archive(archive)
        plan = plan_stamp(book, style)
        with self._lock:
            self._items[key] = (book.package, book.encrypted, plan)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return book, plan


PLANS = _Plans()


def plan_stamp(book: Book, style: StampStyle) -> Plan:
    """Where the page goes, what it and its CSS are called, which documents get what."""
    if style.footer not in FOOTERS:
        raise StampError(f"footer must be one of {', '.join(FOOTERS)}, not {style.footer!r}")
    archive, package = book.archive, book.package
    _check_spine_size(book)
    cover = cover_index(archive, package)
    language = package.language.split("-")[0].lower()
    rtl = language in _RTL_LANGUAGES or (not language and package.direction == "rtl")
    size = viewport(archive, package) if package.fixed else None
    return Plan(
        cover=cover,
        page_path=free_name(archive, package.folder, "exlibris", "xhtml"),
        css_path=free_name(archive, package.folder, "exlibris", "css"),
        page_id=free_id(package.ids, "exlibris-page"),
        css_id=free_id(package.ids, "exlibris-css"),
        page=Page(package.epub3, package.language, rtl, size, index="index" in package.types),
        targets=_targets(book, style, cover),
    )


def _check_spine_size(book: Book) -> None:
    """Refuse, from the sizes the zip declares and before inflating any, a spine that unpacks
    past STAMP_MAX_INFLATED (the stamper inflates every spine document)."""
    limits = current().limits
    paths = {ref.item.path for ref in book.package.spine if book.archive.has(ref.item.path)}
    total = sum(book.archive.entry(path).size for path in paths)
    if total > limits.inflated:
        raise LimitExceeded(
            f"this EPUB's spine documents unpack to {size(total)}, past {size(limits.inflated)}",
            "inflated",
        )


def _targets(book: Book, style: StampStyle, cover: int | None) -> tuple[Target, ...]:
    package, seen = book.package, set()
    skip = {e.path for e in book.encrypted} | {package.nav.path if package.nav else ""}
    targets = []
    for n, ref in enumerate(package.spine):
        path, kind = ref.item.path, ref.item.media_type
        if kind not in (XHTML, SVG) or path in skip or path in seen or not book.archive.has(path):
            continue
        seen.add(path)
        wanted = style.footer == "chapters" or (style.footer == "auto" and not ref.fixed)
        footer = wanted and kind == XHTML and ref.linear and n != cover
        targets.append(Target(path, kind == SVG, footer, ref.fixed))
    return tuple(targets)
