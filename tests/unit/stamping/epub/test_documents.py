"""Marking one document by text edits: the odd shapes producers and hand editors leave behind."""

from __future__ import annotations

import codecs
import os
import zlib

import pytest

from stamping.epub import documents, segments
from stamping.epub.crc import combine, shift
from stamping.epub.documents import DocumentMarks
from stamping.epub.stamper import stamp_epub
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP, Library
from tests.unit.stamping.epub.helpers import entries, parse, unstamped

HOW = documents.document_marks(
    STAMP, epub3=True, footer_template="{name} · {code}", color="#112233"
)


def marked(
    text: str | bytes, *, footer: bool = True, how: DocumentMarks = HOW, epub3: bool = True
) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    split = documents.split_document(raw, "doc.xhtml", epub3=epub3, svg=False)
    assert split is not None
    prepared = segments.prepare(split, raw)
    packed = segments.pack(
        prepared,
        documents.opening(split, how),
        documents.tail(split, how, footer=footer, fixed=False),
    )
    data = zlib.decompressobj(-15).decompress(b"".join(packed.chunks))
    assert (zlib.crc32(data), len(data)) == (packed.crc, packed.size)
    return data


def page(body: str, html: str = '<html xmlns="http://www.w3.org/1999/xhtml">') -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{html}<head><title>t</title></head>{body}</html>'
    )


@pytest.mark.parametrize(
    "body",
    [
        "<body><p>plain</p></body>",
        '<body class="x" title="a &gt; b" data-note="1>2"><p>quoted</p></body>',
        "<body/>",
        "<body\n  id='b'\n><p>newlines</p></body >",
        "<!-- <body> in a comment --><body><p>the real one</p><!-- </body> --></body>",
        "<body><script><![CDATA[ if (a </body> b) {} ]]></script><p>cdata</p></body>",
    ],
    ids=["plain", "quoted-gt", "empty", "newlines", "comments", "cdata"],
)
def test_odd_bodies_come_out_well_formed_and_marked(body: str) -> None:
    data = marked(page(body))
    root = parse(data)
    body_element = root.find("{http://www.w3.org/1999/xhtml}body")
    assert body_element is not None
    assert body_element.get("data-exlibris") == f"{STAMP.code} {STAMP.order_id}"
    last = list(body_element)[-1]
    assert last.get("class") == "exlibris-footer" and STAMP.code in "".join(last.itertext())
    if body != "<body/>":
        assert unstamped(data.decode()) == page(body)


def test_a_prefixed_xhtml_body_gets_a_footer_in_the_xhtml_namespace() -> None:
    html = '<h:html xmlns:h="http://www.w3.org/1999/xhtml">'
    text = page("<h:body><h:p>x</h:p></h:body>", html).replace("</html>", "</h:html>")
    text = text.replace("<head><title>t</title></head>", "<h:head><h:title>t</h:title></h:head>")
    root = parse(marked(text))
    footer = root.find(".//{http://www.w3.org/1999/xhtml}div")
    assert footer is not None and footer.get("class") == "exlibris-footer"


def test_a_utf16_document_stays_utf16() -> None:
    text = page("<body><p>ünïcødé</p></body>").replace("UTF-8", "UTF-16")
    raw = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    data = marked(raw)
    assert data.startswith(codecs.BOM_UTF16_LE)
    assert "ünïcødé" in "".join(parse(data).itertext())


def test_a_latin1_document_is_marked_whole_with_character_references() -> None:
    text = page("<body><p>café</p></body>").replace("UTF-8", "ISO-8859-1")
    data = marked(text.encode("latin-1"))
    assert data.decode("latin-1").count("café") == 1
    assert "&#29579;" in data.decode("latin-1")  # 王 has no Latin-1 byte
    parse(data)


def test_without_a_body_a_document_is_left_alone() -> None:
    assert (
        documents.split_document(b"<html><p>no body</p></html>", "d", epub3=True, svg=False) is None
    )


def test_epub2_marks_are_a_class_token() -> None:
    how = documents.document_marks(STAMP, epub3=False, footer_template="{code}", color="#000000")
    data = marked(page('<body class="a  b"><p/></body>'), how=how, epub3=False).decode()
    assert f'<body class="a  b exlibris-code-{STAMP.code}">' in data
    assert "data-" not in data


def test_a_footer_longer_than_a_stored_block_still_inflates() -> None:
    how = documents.document_marks(STAMP, epub3=True, footer_template="x" * 150_000, color="#000")
    data = marked(page("<body><p/></body>"), how=how)
    assert data.count(b"x" * 150_000) == 1


@pytest.mark.parametrize("length", [0, 1, 3, 1000, 65_537])
def test_crc_of_a_concatenation_from_its_parts(length: int) -> None:
    first, second = os.urandom(77), os.urandom(length)
    assert combine(zlib.crc32(first), zlib.crc32(second), shift(length)) == zlib.crc32(
        first + second
    )


def test_the_second_copy_from_the_cache_equals_the_first(library: Library) -> None:
    segments.CACHE.clear()
    first = stamp_epub(library["pandoc"], STAMP)
    assert stamp_epub(library["pandoc"], STAMP) == first  # from the cache
    segments.CACHE.clear()
    assert stamp_epub(library["pandoc"], STAMP) == first  # from scratch again


def test_a_changed_document_with_the_same_name_is_not_served_from_the_cache(
    library: Library,
) -> None:
    original = library["ebooklib"]
    stamp_epub(original, STAMP)  # the cache now holds its chapters
    edited = entries(original)
    edited["EPUB/chapter-01.xhtml"] = edited["EPUB/chapter-01.xhtml"].replace(
        b"Chapter 1", b"Chapter I"
    )
    del edited["mimetype"], edited["META-INF/container.xml"]
    copy = entries(stamp_epub(books.zip_epub(edited, opf="EPUB/content.opf"), STAMP))
    assert b"Chapter I" in copy["EPUB/chapter-01.xhtml"]
