"""The Kindle preflight: `check` warns about what Send to Kindle is known to refuse (E999).

Books are made here, each with one thing Kindle refuses; the demo's book has none, so a
warning is the book's and not the check's. A warning leaves the verdict alone: the book
stamps and downloads, only its Kindle delivery is at risk.
"""

from __future__ import annotations

import pytest

from stamping.epub.book import open_book
from stamping.epub.kindle import kindle_warnings
from stamping.epub.preflight import check_epub, format_report
from stamping.kindle import LARGEST_BOOK
from tests.unit.stamping.epub import books

CHAPTER = books.xhtml3("One", "<h1>One</h1><p>It begins.</p>")


def book_with(
    manifest: str = "", files: dict[str, bytes | str] | None = None, nav: bool = True
) -> bytes:
    opf = books.opf3(
        '\n    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>' + manifest,
        '\n    <itemref idref="c1"/>',
    )
    if not nav:
        opf = opf.replace(
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
            "",
        )
    content = {"OEBPS/content.opf": opf, "OEBPS/c1.xhtml": CHAPTER, **(files or {})}
    if nav:
        content["OEBPS/nav.xhtml"] = books.nav3([("c1.xhtml", "One")])
    return books.zip_epub(content)


def kindle_lines(data: bytes) -> list[str]:
    report = check_epub(data)
    assert report.clean, report.problems  # a Kindle warning never fails the check
    return [w for w in report.warnings if w.startswith("Send to Kindle")]


def test_a_book_kindle_takes_gets_no_warning(sample_epub: bytes) -> None:
    assert kindle_lines(sample_epub) == []
    assert kindle_lines(book_with()) == []
    assert kindle_lines(books.epub2_book()) == []  # EPUB 2 with its NCX


def test_an_epub3_without_a_nav_document_is_warned_about() -> None:
    [line] = kindle_lines(book_with(nav=False))
    assert "no nav document" in line and "E999" in line


@pytest.mark.parametrize(
    ("item", "name", "words"),
    [
        ('<item id="f" href="f.woff" media-type="font/woff"/>', "OEBPS/f.woff", "WOFF fonts"),
        ('<item id="f" href="f.woff2" media-type="font/woff2"/>', "OEBPS/f.woff2", "WOFF fonts"),
        ('<item id="i" href="i.webp" media-type="image/webp"/>', "OEBPS/i.webp", "images Kindle"),
        ('<item id="i" href="i.avif" media-type="image/avif"/>', "OEBPS/i.avif", "images Kindle"),
    ],
    ids=["woff", "woff2", "webp", "avif"],
)
def test_fonts_and_images_kindle_rejects_are_named(item: str, name: str, words: str) -> None:
    data = book_with("\n    " + item, {name: b"\x00" * 64})
    [line] = kindle_lines(data)
    assert words in line and name in line


def test_a_copy_too_large_for_one_mail_is_warned_about(sample_epub: bytes) -> None:
    book = open_book(sample_epub)
    assert kindle_warnings(book, LARGEST_BOOK) == ()
    [line] = kindle_warnings(book, LARGEST_BOOK + 1)
    assert "our mail provider's limit" in line and "22.5 MB" in line
    [line] = kindle_warnings(book, 60_000_000)
    assert "Amazon's own limit" in line


def test_the_report_prints_the_warning_and_still_stamps_cleanly() -> None:
    text = format_report(check_epub(book_with(nav=False)))
    assert "warning:        Send to Kindle: no nav document" in text
    assert text.endswith("stamps cleanly")
