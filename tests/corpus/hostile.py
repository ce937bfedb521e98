"""The hostile corpus (issue 26): bombs, cycles and broken cross-references, built at test time.

Each case is a file an author might upload, or a leaker hand support, built to
exhaust memory or time: a stream that inflates a thousandfold, a page tree
that loops, a zip whose directory promises more than a book holds. Each must
be refused with the limit it hits, named as its setting (`refusal`), or
stamped; tests/unit/test_hostile_corpus.py runs stamp, check and trace on
each in a child process and asserts the refusal and the child's peak memory.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tests.corpus.bombs import GiB, MiB, ZipEntry, deflated, pattern, write_zip
from tests.corpus.writer import CONTENT, book, stream, write

I26 = "issue 26"


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[], bytes]
    refusal: str = ""  # what the refusal says (the setting of the limit); empty: it stamps
    suffix: str = "pdf"

    @property
    def stamps(self) -> bool:
        return not self.refusal


def _flate(chunk: bytes, times: int, entries: bytes = b"") -> bytes:
    data = deflated(chunk, times)
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (
        len(data),
        entries,
        data,
    )


_OPS = pattern(b"q Q\n")  # valid content, balanced: only its size is hostile


def _prose(size: int = 512 * 1024) -> bytes:
    """Made-up words whose 9.7 KB repeat within deflate's 32 KB window: `size` bytes deflate
    about 65 times, under STAMP_MAX_RATIO, so only the size limits can stop them."""
    rnd = random.Random(26)
    words = [
        "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=rnd.randint(2, 9))) for _ in range(400)
    ]
    return pattern(" ".join(rnd.choice(words) for _ in range(1500)).encode(), size)


def content_bomb() -> bytes:
    """A 1 MB book whose one content stream inflates to 1 GiB (issue 26: 13 s, 2.15 GB)."""
    return book(content_object=_flate(_OPS, GiB // MiB))


def _pages(count: int, content: int, extra: dict[int, bytes] | None = None) -> bytes:
    """`count` pages (objects 10…) sharing the content stream `content` and font 4."""
    kids = b" ".join(b"%d 0 R" % (10 + n) for n in range(count))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 300 400] >>" % (kids, count),
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for n in range(count):
        objects[10 + n] = (
            b"<< /Type /Page /Parent 2 0 R /Contents %d 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>" % content
        )
    objects.update(extra or {})
    return write(objects)


def _shared_stream() -> bytes:
    """Ten pages sharing one content stream of 256 MB (issue 26: 263 KB, 13.6 s to stamp)."""
    return _pages(10, 3, {3: _flate(_OPS, 256)})


def _shared_prose() -> bytes:
    """Ten pages sharing a content stream of 256 MB that deflates only 65 times (a text
    operator's worth of prose: within the ratio, past the size)."""
    prose = _prose().replace(b" ", b") Tj (")
    return _pages(10, 3, {3: _flate(prose, 512)})


def _many_pages() -> bytes:
    """More pages than any book: 60,000 page objects sharing one tiny content stream."""
    return _pages(60_000, 3, {3: stream(CONTENT)})


def _xmp_bomb() -> bytes:
    """The document's XMP metadata inflates to 1 GiB: every tool reads it."""
    xmp = _flate(pattern(b" "), GiB // MiB, b"/Type /Metadata /Subtype /XML")
    return book(catalog=b"/Metadata 6 0 R", extra={6: xmp})


def _object_stream_bomb() -> bytes:
    """An object stream (qpdf inflates it whole to read one object) of 1 GiB: the outline's
    root, then white space. A hybrid file: its /XRefStm indexes the object inside."""
    first = b"7 0 "
    data = deflated(pattern(b" "), GiB // MiB, prefix=first + b"<< /Type /Outlines >>\n")
    objstm = b"<< /Length %d /Filter /FlateDecode /Type /ObjStm /N 1 /First %d >>\n" % (
        len(data),
        len(first),
    )
    row = bytes([2]) + (6).to_bytes(2, "big") + bytes([0])
    xref = stream(row, b"/Type /XRef /W [1 2 1] /Index [7 1] /Size 12")
    extra = {6: objstm + b"stream\n" + data + b"\nendstream", 11: xref}
    out = book(catalog=b"/Outlines 7 0 R", extra=extra, trailer=b"/XRefStm 0000000000")
    return out.replace(b"/XRefStm 0000000000", b"/XRefStm %010d" % out.index(b"11 0 obj"))


def _many_objects() -> bytes:
    """1.2 million tiny objects: qpdf keeps each one in memory."""
    extra = {100 + n: b"null" for n in range(1_200_000)}
    return book(extra=extra)


def _page_tree_loop() -> bytes:
    """A page tree whose intermediate node lists itself among its kids."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [6 0 R] /Count 2 /MediaBox [0 0 300 400] >>",
        6: b"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 6 0 R] /Count 2 >>",
        3: stream(CONTENT),
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: b"<< /Type /Page /Parent 6 0 R /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
    }
    return write(objects)


def _form_loop() -> bytes:
    """A page drawing a form that draws itself."""
    form = stream(
        b"/X1 Do " + CONTENT,
        b"/Type /XObject /Subtype /Form /BBox [0 0 300 400] "
        b"/Resources << /XObject << /X1 6 0 R >> /Font << /F1 4 0 R >> >>",
    )
    return book(
        content=b"/X1 Do",
        page=b"/Resources << /XObject << /X1 6 0 R >> /Font << /F1 4 0 R >> >>",
        extra={6: form},
    )


def _reference_loop() -> bytes:
    """An object that is a reference to itself, in the page's /Rotate and /Annots."""
    return book(page=b"/Annots 6 0 R", extra={6: b"6 0 R"})


def _xref_offsets_wrong() -> bytes:
    """Every offset in the cross-reference table points 7 bytes early: qpdf rebuilds it."""
    data = book()
    start = data.rindex(b"xref\n")
    rows = [
        (b"%010d 00000 n " % max(0, int(row[:10]) - 7)) if row.endswith(b" n ") else row
        for row in data[start:].split(b"\n")
    ]
    return data[:start] + b"\n".join(rows)


def _startxref_garbage() -> bytes:
    """startxref points into the middle of a content stream."""
    data = book()
    return data[: data.rindex(b"startxref")] + b"startxref\n20\n%%EOF\n"


def _xref_size_huge() -> bytes:
    """A trailer whose /Size claims two billion objects."""
    return book().replace(b"/Size 6", b"/Size 2147483647")


def _hex_wrapped_bomb() -> bytes:
    """A content stream of 256 MiB behind /ASCIIHexDecode then /FlateDecode (qpdf decodes
    such chains itself when it writes the book)."""
    data = deflated(_OPS, 256).hex().encode() + b">"
    body = b"<< /Length %d /Filter [/ASCIIHexDecode /FlateDecode] >>\nstream\n%s\nendstream" % (
        len(data),
        data,
    )
    return book(content_object=body)


# --- EPUB ---

_CONTAINER = b"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""


def _opf(chapters: int) -> bytes:
    items = "".join(
        f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in range(chapters)
    )
    refs = "".join(f'<itemref idref="c{n}"/>' for n in range(chapters))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:identifier id="uid">urn:uuid:0b7c8f2e-1d4a-4e6b-9c0d-5f2a7e8b9c10</dc:identifier>
<dc:title>Hostile</dc:title><dc:language>en</dc:language>
<meta property="dcterms:modified">2024-01-01T00:00:00Z</meta></metadata>
<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
{items}</manifest><spine>{refs}</spine></package>""".encode()


_NAV = b"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head><title>Contents</title></head><body><nav epub:type="toc"><ol><li><a href="c0.xhtml">One</a>
</li></ol></nav></body></html>"""
_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
_CHAPTER = _HEAD + b"<head><title>c</title></head><body><p>Hello</p></body></html>"


def _epub(chapters: list[ZipEntry], extra: list[ZipEntry] | None = None) -> bytes:
    return write_zip(
        [
            ZipEntry.stored("mimetype", b"application/epub+zip"),
            ZipEntry.text("META-INF/container.xml", _CONTAINER),
            ZipEntry.text("OEBPS/content.opf", _opf(len(chapters))),
            ZipEntry.text("OEBPS/nav.xhtml", _NAV),
            *chapters,
            *(extra or []),
        ]
    )


def _chapter_bomb(n: int, size_mib: int) -> ZipEntry:
    """A chapter of `size_mib` MiB: a paragraph repeated (valid XHTML would need the end tags
    at the very end; the stamper refuses it before it reads that far)."""
    return ZipEntry.bomb(f"OEBPS/c{n}.xhtml", pattern(b"<p>All work and no play.</p>\n"), size_mib)


def _twenty_chapters() -> bytes:
    """20 chapters of 60 MB each (issue 26: refused after 10.4 s and 685 MB)."""
    return _epub([_chapter_bomb(n, 60) for n in range(20)])


def _twenty_prose_chapters() -> bytes:
    """20 chapters of 60 MB that deflate 65 times each (18 MB): each within its own limits,
    together past STAMP_MAX_INFLATED."""
    chunk = b"<p>" + _prose()[: 512 * 1024 - 8] + b"</p>\n\n"
    return _epub([ZipEntry.bomb(f"OEBPS/c{n}.xhtml", chunk, 120) for n in range(20)])


def _one_huge_chapter() -> bytes:
    return _epub([_chapter_bomb(0, 1024)])


def _declared_huge() -> bytes:
    """Ten images whose directory entries declare 300 MB each (3 GB) over a few bytes."""
    images = [
        ZipEntry(f"OEBPS/i{n}.png", deflated(b"\0" * 16, 1, raw=True), crc=0, size=300 * MiB)
        for n in range(10)
    ]
    return _epub([ZipEntry.text("OEBPS/c0.xhtml", _CHAPTER)], images)


def _many_entries() -> bytes:
    files = [ZipEntry.text(f"OEBPS/f{n}.css", b"p{}") for n in range(60_000)]
    return _epub([ZipEntry.text("OEBPS/c0.xhtml", _CHAPTER)], files)


def _ratio_bomb() -> bytes:
    """A 40 MB chapter that deflates a thousandfold: within the size limit, not the ratio."""
    return _epub([_chapter_bomb(0, 40)])


HOSTILE = [
    Hostile("pdf-content-1gib", content_bomb, "STAMP_MAX_STREAM"),
    Hostile("pdf-ten-pages-share-256mb", _shared_stream, "STAMP_MAX_RATIO"),
    Hostile("pdf-ten-pages-share-256mb-prose", _shared_prose, "STAMP_MAX_STREAM"),
    Hostile("pdf-xmp-1gib", _xmp_bomb, "STAMP_MAX_STREAM"),
    Hostile("pdf-hex-wrapped-256mb", _hex_wrapped_bomb, "STAMP_MAX_RATIO"),
    Hostile("pdf-object-stream-1gib", _object_stream_bomb, "STAMP_MAX_STREAM"),
    Hostile("pdf-60000-pages", _many_pages, "STAMP_MAX_PAGES"),
    Hostile("pdf-1200000-objects", _many_objects, "STAMP_MAX_OBJECTS"),
    Hostile("pdf-page-tree-loop", _page_tree_loop, "Loop detected in /Pages"),
    Hostile("pdf-form-draws-itself", _form_loop),
    Hostile("pdf-reference-loop", _reference_loop),
    Hostile("pdf-xref-offsets-wrong", _xref_offsets_wrong),
    Hostile("pdf-startxref-garbage", _startxref_garbage),
    Hostile("pdf-xref-size-2g", _xref_size_huge),
    Hostile("epub-20x60mb", _twenty_chapters, "STAMP_MAX_RATIO", "epub"),
    Hostile("epub-20x60mb-prose", _twenty_prose_chapters, "STAMP_MAX_INFLATED", "epub"),
    Hostile("epub-chapter-1gib", _one_huge_chapter, "STAMP_MAX_RATIO", "epub"),
    Hostile("epub-declares-3gb", _declared_huge, "STAMP_MAX_ZIP_SIZE", "epub"),
    Hostile("epub-60000-entries", _many_entries, "STAMP_MAX_ZIP_ENTRIES", "epub"),
    Hostile("epub-ratio-1000", _ratio_bomb, "STAMP_MAX_RATIO", "epub"),
]
