"""EPUB stamping: original bytes and a buyer in, that buyer's personal copy out.

The copy is the original plus an ex-libris page (and its CSS) after the
cover (plan.py), the hidden marks of marks.py, and a footer line at the end
of each chapter. Only the package document and the spine documents are
rewritten, the latter mostly from deflated parts cached across copies
(segments.py); every other entry (images, fonts, CSS, nav, NCX,
encryption.xml) is copied as its compressed bytes, and `mimetype` is written
first and stored.
"""

from __future__ import annotations

import posixpath
from typing import BinaryIO
from urllib.parse import quote

import stamping.epub.documents as documents
import stamping.epub.marks as marks
import stamping.epub.segments as segments
from stamping.epub.archive import Entry
from stamping.epub.book import Book
from stamping.epub.exlibris import page_css, page_xhtml
from stamping.epub.opf_edit import Addition, edit_opf
from stamping.epub.package import Package
from stamping.epub.plan import PLANS, Plan
from stamping.epub.segments import Packed, Prepared
from stamping.epub.text import one_line
from stamping.epub.writer import RawZipWriter, new_entry
from stamping.stamp import Stamp
from stamping.style import StampStyle

MIMETYPE = b"application/epub+zip"


def stamp_epub(original: bytes, stamp: Stamp, style: StampStyle = StampStyle()) -> bytes:  # noqa: B008 - frozen
    """Return the personal copy of `original` for `stamp`."""
    writer, comment = _stamped(original, stamp, style)
    return writer.finish(comment)


def write_epub(
    original: bytes,
    stamp: Stamp,
    out: BinaryIO,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
) -> None:
    """Write the personal copy of `original` for `stamp` to `out` (StampError before any byte
    is written if the book cannot be stamped)."""
    writer, comment = _stamped(original, stamp, style)
    writer.finish_into(out, comment)


def _stamped(original: bytes, stamp: Stamp, style: StampStyle) -> tuple[RawZipWriter, bytes]:
    """The copy's entries, ready to be written, and its zip comment."""
    book, plan = PLANS.open(original, style)
    edits = mark_documents(book, plan, stamp, style)
    opf = edit_opf(book.package, _addition(book.package, plan, stamp))
    edits[book.package.path] = segments.pack_bytes(opf)
    css_href = _relative(plan.css_path, plan.page_path)
    added = {
        plan.page_path: page_xhtml(plan.page, stamp, style.exlibris_template, css_href).encode(),
        plan.css_path: page_css(plan.page, style.color, stamp.accent).encode(),
    }
    comment = marks.zip_comment(stamp.order_id, stamp.code, book.archive.comment)
    return assemble(book, edits, added), comment


def mark_documents(book: Book, plan: Plan, stamp: Stamp, style: StampStyle) -> dict[str, Packed]:
    """The marked spine documents, by zip path (documents without a <body> are left out)."""
    how = documents.document_marks(
        stamp, epub3=book.package.epub3, footer_template=style.footer_template, color=style.color
    )
    edits = {}
    for target in plan.targets:
        entry = book.archive.entry(target.path)
        css = _relative(plan.css_path, target.path) if target.footer else None
        prepared = _prepared(
            book, entry, svg=target.svg, css_href=css, sectioned=book.package.edupub
        )
        if prepared is not None:
            opening = documents.opening(prepared.split, how)
            tail = documents.tail(prepared.split, how, footer=target.footer, fixed=target.fixed)
            edits[target.path] = segments.pack(prepared, opening, tail)
    return edits


def _prepared(
    book: Book, entry: Entry, *, svg: bool, css_href: str | None, sectioned: bool
) -> Prepared | None:
    """The document split (its head linking the footer's stylesheet at `css_href`, the footer
    in its last section if `sectioned`) and its static parts deflated: from the cache after
    the first copy."""
    epub3 = book.package.epub3
    payload = bytes(book.archive.payload(entry))  # bytes == memoryview is 50 times slower
    key = (entry.name, entry.crc, entry.size, epub3, svg, css_href, sectioned)
    cached = segments.CACHE.get(key)
    if cached is not None and cached.source == payload:
        return cached
    raw = book.archive.read(entry.name)
    split = documents.split_document(
        raw, entry.name, epub3=epub3, svg=svg, css_href=css_href, sectioned=sectioned
    )
    if split is None:
        return None
    prepared = segments.prepare(split, payload)
    segments.CACHE.put(key, prepared)
    return prepared


def assemble(book: Book, edits: dict[str, Packed], added: dict[str, bytes]) -> RawZipWriter:
    """The copy: mimetype first and stored, every original entry in order, then the new ones."""
    archive, writer = book.archive, RawZipWriter()
    mimetype = archive.by_name.get("mimetype")
    data = archive.read("mimetype", limit=1024) if mimetype else MIMETYPE
    writer.write(mimetype or new_entry("mimetype", None), data, compress=False)
    for entry in archive.entries:
        if entry is mimetype:
            continue
        edited = edits.get(entry.name)
        if edited is not None and entry is archive.by_name[entry.name]:
            writer.deflated(entry, edited.chunks, edited.crc, edited.size)
        else:
            writer.copy(entry, archive.local_record(entry))
    like = archive.entry(book.package.path)
    for name, body in added.items():
        writer.write(new_entry(name, like), body)
    return writer


def _addition(package: Package, plan: Plan, stamp: Stamp) -> Addition:
    after = package.spine[plan.cover].item.id if plan.cover is not None else None
    fixed = plan.page.viewport is not None and package.epub3
    return Addition(
        order_id=one_line(stamp.order_id),
        code=one_line(stamp.code),
        page_id=plan.page_id,
        page_href=_relative(plan.page_path, package.path),
        css_id=plan.css_id,
        css_href=_relative(plan.css_path, package.path),
        after_idref=after,
        # An inserted page would shift every later page from left to right in a
        # two-page spread; centred, it is a spread of its own.
        page_properties="rendition:page-spread-center" if fixed else "",
    )


def _relative(path: str, base_file: str) -> str:
    """The href of zip path `path` from the document `base_file`."""
    return quote(posixpath.relpath(path, posixpath.dirname(base_file) or "."))
