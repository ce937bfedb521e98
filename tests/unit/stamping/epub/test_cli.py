"""`python -m worker stamp|trace|check` on an EPUB, chosen by content, as an author runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.codes import make_code
from stamping.epub.tracing import trace_epub
from tests.unit.console.files.test_cli import SECRET, run
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import Library
from tests.unit.stamping.epub.helpers import entries

# Each test runs whole processes: the slow tier, which `make test` runs and `make unit` skips.
pytestmark = pytest.mark.slow


def test_stamp_then_trace_an_epub_named_like_a_pdf(library: Library, tmp_path: Path) -> None:
    book = tmp_path / "book.pdf"  # the name lies: the content decides
    book.write_bytes(library["ebooklib"])
    out = tmp_path / "copy.epub"
    done = run("stamp", str(book), str(out), "--name", "Ada", "--email", "a@x.y", "--order", "o9")
    assert done.returncode == 0, done.stderr
    code = make_code(SECRET, "o9")
    assert trace_epub(out.read_bytes()).code == code
    page = entries(out.read_bytes())["EPUB/exlibris.xhtml"].decode()
    assert f"/verify?code={code}" in page
    traced = run("trace", str(out))
    assert traced.returncode == 0
    assert traced.stdout.startswith("order o9  code ") and "comment" in traced.stdout


def test_check_describes_the_stamp_and_writes_a_preview(library: Library, tmp_path: Path) -> None:
    book = tmp_path / "book.epub"
    book.write_bytes(library["epub2"])
    done = run("check", str(book), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "EPUB version:   2.0" in done.stdout and "stamps cleanly" in done.stdout
    preview = tmp_path / "out" / "book.preview.epub"
    assert trace_epub(preview.read_bytes()).order_id == "preflight"
    assert (tmp_path / "out" / "book.preview" / "exlibris.xhtml").exists()


def test_check_refuses_a_drm_book_with_the_reason(tmp_path: Path) -> None:
    files = entries(books.font_book(books.small_font()))
    files["META-INF/encryption.xml"] = books.ENCRYPTION.format(
        algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc", uri="OEBPS/chapter.xhtml"
    ).encode()
    del files["mimetype"], files["META-INF/container.xml"]
    book = tmp_path / "drm.epub"
    book.write_bytes(books.zip_epub(dict(files)))
    done = run("check", str(book), "--out", str(tmp_path))
    assert done.returncode == 1
    assert "DRM-encrypted" in done.stdout and "does NOT stamp cleanly" in done.stdout
    stamp = run(
        "stamp",
        str(book),
        str(tmp_path / "x.epub"),
        "--name",
        "A",
        "--email",
        "a@b.c",
        "--order",
        "1",
    )
    assert stamp.returncode == 1 and "DRM" in stamp.stderr
