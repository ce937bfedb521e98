"""What each shape of book needs: fixed layout, EPUB 2, right to left, obfuscated fonts, DRM."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from fontTools.ttLib import TTFont

from stamping.epub.book import open_book
from stamping.epub.plan import plan_stamp
from stamping.epub.preflight import check_epub
from stamping.epub.stamper import stamp_epub
from stamping.stamp import StampError
from stamping.style import StampStyle
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP, Library
from tests.unit.stamping.epub.helpers import entries, parse

Copy = Callable[[str], bytes]


def page_of(copy: bytes) -> tuple[str, str, str]:
    """The copy's ex-libris page, its CSS and its OPF, as text."""
    files = entries(copy)
    [page] = [n for n in files if n.endswith("exlibris.xhtml")]
    css, opf = page.removesuffix(".xhtml") + ".css", next(n for n in files if n.endswith(".opf"))
    return files[page].decode(), files[css].decode(), files[opf].decode()


def test_a_fixed_layout_page_has_the_books_viewport_and_a_spread_of_its_own(
    stamped: Copy,
) -> None:
    page, css, opf = page_of(stamped("fixed-layout"))
    assert '<meta name="viewport" content="width=600, height=800"/>' in page
    assert "width: 600px; height: 800px;" in css
    assert re.search(
        r'<itemref idref="exlibris-page" properties="rendition:page-spread-center"/>', opf
    )
    assert 'properties="page-spread-left"' in opf  # the book's own spreads are kept


def test_an_epub2_copy_uses_xhtml_1_1_and_no_data_attributes(stamped: Copy) -> None:
    files = {n: d.decode() for n, d in entries(stamped("epub2")).items() if n.endswith(".xhtml")}
    assert "-//W3C//DTD XHTML 1.1//EN" in files["OEBPS/exlibris.xhtml"]
    assert not any("data-" in text or "<bdi>" in text for text in files.values())
    assert f'<body class="chapter exlibris-code-{STAMP.code}">' in files["OEBPS/chapter1.xhtml"]
    assert f'<body class="exlibris-code-{STAMP.code}">' in files["OEBPS/chapter2.xhtml"]


def test_a_right_to_left_book_gets_a_right_to_left_page(library: Library, stamped: Copy) -> None:
    page, _, opf = page_of(stamped("rtl"))
    assert 'dir="rtl"' in page and 'xml:lang="ar"' in page
    assert 'page-progression-direction="rtl"' in opf
    after = entries(stamped("rtl"))
    assert after["OEBPS/style.css"] == entries(library["rtl"])["OEBPS/style.css"]  # vertical-rl
    assert 'xml:lang="he" dir="rtl">' in after["OEBPS/he.xhtml"].decode()


def test_a_left_to_right_book_gets_a_left_to_right_page(stamped: Copy) -> None:
    page, _, _ = page_of(stamped("pandoc"))
    assert 'dir="ltr"' in page


@pytest.mark.parametrize(
    ("algorithm", "key", "length"),
    [(books.IDPF, books.idpf_key, 1040), (books.ADOBE, books.adobe_key, 1024)],
    ids=["idpf", "adobe"],
)
def test_an_obfuscated_font_still_deobfuscates_in_the_copy(
    algorithm: str, key: Callable[[str], bytes], length: int
) -> None:
    font = books.small_font()
    original = books.font_book(font, algorithm)
    copy = stamp_epub(original, STAMP)
    identifier = open_book(copy, original=False).package.unique_id
    assert identifier == books.UUID
    mangled = entries(copy)["OEBPS/fonts/book.ttf"]
    assert mangled == entries(original)["OEBPS/fonts/book.ttf"] != font
    restored = books.obfuscate(mangled, key(identifier), length)
    assert restored == font
    assert "glyf" in TTFont(io.BytesIO(restored))


def test_the_idpf_key_ignores_white_space_in_the_identifier() -> None:
    assert books.idpf_key(f"  {books.UUID}\n\t") == books.idpf_key(books.UUID)


DRM = books.ENCRYPTION.format(
    algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="OEBPS/chapter.xhtml"
)


def drm_book() -> bytes:
    files = entries(books.font_book(books.small_font()))
    files["META-INF/encryption.xml"] = DRM.encode()
    del files["mimetype"], files["META-INF/container.xml"]
    return books.zip_epub(dict(files))


def test_a_drm_book_is_refused_with_the_reason() -> None:
    with pytest.raises(StampError, match=r"DRM-encrypted.*aes128-cbc.*OEBPS/chapter\.xhtml"):
        stamp_epub(drm_book(), STAMP)
    report = check_epub(drm_book())
    assert not report.clean and "DRM" in report.problems[0] and report.preview is None


def test_an_already_stamped_copy_is_refused(stamped: Copy) -> None:
    with pytest.raises(StampError, match="already a stamped copy"):
        stamp_epub(stamped("ebooklib"), STAMP)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 not an epub", "not a zip"),
        (b"PK\x03\x04 truncated", "damaged"),
        (
            books.zip_epub({}).replace(b"META-INF/container.xml", b"META-INF/elsewhere.xml"),
            "no META-INF/container.xml",
        ),
        (books.zip_epub({"OEBPS/content.opf": "<package"}), "not well-formed"),
        (books.zip_epub({}), "OEBPS/content.opf, which is not in the EPUB"),
    ],
    ids=["not-a-zip", "cut-off", "no-container", "broken-opf", "missing-opf"],
)
def test_a_broken_book_is_a_stamp_error(data: bytes, reason: str) -> None:
    with pytest.raises(StampError, match=reason):
        stamp_epub(data, STAMP)


def test_the_preflight_report_says_what_goes_where(library: Library) -> None:
    report = check_epub(library["pandoc"])
    assert report.clean, report.problems
    facts = dict(report.facts)
    assert facts["ex-libris page"].startswith("EPUB/exlibris.xhtml, after EPUB/text/cover.xhtml")
    assert facts["identifier"].startswith("'urn:uuid:")
    parse(report.page["exlibris.xhtml"])
    assert "Zoë" in report.page["exlibris.xhtml"].decode()
    plan = plan_stamp(open_book(library["pandoc"]), StampStyle())
    assert facts["footer"].startswith(f"{sum(t.footer for t in plan.targets)} of ")


def test_a_package_with_prefixed_opf_elements_gets_prefixed_additions() -> None:
    files = entries(books.epub2_book())
    opf = files["OEBPS/content.opf"].decode()
    opf = re.sub(
        r"<(/?)(package|metadata|manifest|item|spine|itemref|guide|reference|meta)\b",
        r"<\1opf:\2",
        opf,
    ).replace('xmlns="http://www.idpf.org/2007/opf"', "")
    opf = opf.replace("<opf:package ", '<opf:package xmlns:opf="http://www.idpf.org/2007/opf" ')
    files["OEBPS/content.opf"] = opf.encode()
    del files["mimetype"], files["META-INF/container.xml"]
    copy = stamp_epub(books.zip_epub(files), STAMP)
    stamped_opf = entries(copy)["OEBPS/content.opf"].decode()
    parse(stamped_opf.encode())
    assert '<opf:itemref idref="exlibris-page"/>' in stamped_opf
    assert '<opf:meta name="exlibris:code"' in stamped_opf
    spine = [r.item.id for r in open_book(copy, original=False).package.spine]
    assert spine == ["cover", "exlibris-page", "c1", "c2"]
