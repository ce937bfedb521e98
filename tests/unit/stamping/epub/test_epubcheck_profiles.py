"""epubcheck on books that declare more than plain EPUB 3 (issue 26): the copy adds nothing.

A book with remote resources, an EDUPUB book, a book with a whole-publication
index: each is valid as built here, and its copy must stay valid, the ex-libris
page and the footer line following what the book declares. Slow: the JVM starts
for each book (conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stamping.epub.stamper import stamp_epub
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP, run_epubcheck
from tests.unit.stamping.epub.helpers import entries
from tests.unit.stamping.epub.test_epubcheck import serious

REMOTE_CHAPTER = books.xhtml3(
    "One",
    '<h1>One</h1><p>Listen:</p><audio src="https://example.com/one.mp3" controls="controls">'
    "<p>An audio clip.</p></audio>",
)


def remote_book() -> bytes:
    """A chapter with a remote audio clip, declared with the remote-resources property."""
    manifest = (
        '\n    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml" '
        'properties="remote-resources"/>'
        '\n    <item id="clip" href="https://example.com/one.mp3" media-type="audio/mpeg"/>'
    )
    return books.zip_epub(
        {
            "OEBPS/content.opf": books.opf3(manifest, '\n    <itemref idref="c1"/>'),
            "OEBPS/nav.xhtml": books.nav3([("c1.xhtml", "One")]),
            "OEBPS/c1.xhtml": REMOTE_CHAPTER,
        }
    )


# EDUPUB asks for accessibility metadata, and body content in sections with headings.
EDUPUB_META = """
    <dc:type>edupub</dc:type>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">Text only.</meta>"""
EDUPUB_CHAPTER = books.xhtml3(
    "One",
    "<section><h1>One</h1><p>Chapter one.</p>"
    "<section><h2>A part</h2><p>Its text.</p></section></section>",
)


def edupub_book() -> bytes:
    """An EDUPUB book (dc:type edupub) whose chapter ends in nested sections."""
    manifest = '\n    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>'
    return books.zip_epub(
        {
            "OEBPS/content.opf": books.opf3(
                manifest, '\n    <itemref idref="c1"/>', meta=EDUPUB_META
            ),
            "OEBPS/nav.xhtml": books.nav3([("c1.xhtml", "One")]),
            "OEBPS/c1.xhtml": EDUPUB_CHAPTER,
        }
    )


INDEX_CHAPTER = books.xhtml3(
    "One",
    '<section id="ch1"><h2>One</h2><p>Test.</p></section><section epub:type="index">'
    '<h2>Index</h2><ul epub:type="index-entry-list"><li><span epub:type="index-term">term'
    '</span>, <a epub:type="index-locator" href="#ch1">1</a></li></ul></section>',
)


def index_book() -> bytes:
    """A book declared an index as a whole (dc:type index, epubcheck's index-whole-pub-valid):
    every content document in its spine must hold an index."""
    manifest = '\n    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>'
    return books.zip_epub(
        {
            "OEBPS/content.opf": books.opf3(
                manifest, '\n    <itemref idref="c1"/>', meta="\n    <dc:type>index</dc:type>"
            ),
            "OEBPS/nav.xhtml": books.nav3([("c1.xhtml", "One")]),
            "OEBPS/c1.xhtml": INDEX_CHAPTER,
        }
    )


BOOKS = {"remote-resources": remote_book, "edupub": edupub_book, "index": index_book}


def test_an_edupub_footer_ends_the_last_section_and_the_page_has_a_heading() -> None:
    files = entries(stamp_epub(edupub_book(), STAMP))
    chapter = files["OEBPS/c1.xhtml"].decode()
    assert re.search(
        r'<p>Its text\.</p>\n<div class="exlibris-footer">.*?</div>\n</section>'
        r"</section>\s*</body>",
        chapter,
        re.S,
    ), chapter
    assert (
        '<h1 class="exlibris-title" id="exlibris-title">' in files["OEBPS/exlibris.xhtml"].decode()
    )


def test_the_page_of_a_whole_publication_index_holds_a_hidden_index() -> None:
    page = entries(stamp_epub(index_book(), STAMP))["OEBPS/exlibris.xhtml"].decode()
    assert '<section class="exlibris-index" epub:type="index">' in page
    assert (
        'epub:type="index"'
        not in entries(stamp_epub(remote_book(), STAMP))["OEBPS/exlibris.xhtml"].decode()
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_the_copy_of_a_book_with_a_profile_passes_epubcheck(name: str, tmp_path: Path) -> None:
    original = BOOKS[name]()
    (tmp_path / "original.epub").write_bytes(original)
    (tmp_path / "copy.epub").write_bytes(stamp_epub(original, STAMP))
    assert serious(run_epubcheck(tmp_path / "original.epub")) == [], "the book itself is valid"
    assert serious(run_epubcheck(tmp_path / "copy.epub")) == []
