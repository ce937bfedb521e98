"""Buyer data is text, whatever it holds: every copy parses as XML and shows the name as written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stamping.epub.stamper import stamp_epub
from stamping.epub.text import one_line
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.unit.stamping.epub.conftest import Library
from tests.unit.stamping.epub.helpers import entries, parse

Copy = Callable[[str], bytes]
XHTML = "{http://www.w3.org/1999/xhtml}"


def names_on_page(copy: bytes) -> list[str]:
    """The text of each <bdi> on the ex-libris page: name, email, order, code."""
    files = entries(copy)
    page = parse(next(v for k, v in files.items() if k.endswith("exlibris.xhtml")))
    return ["".join(b.itertext()) for b in page.iter(f"{XHTML}bdi")]


@settings(max_examples=60, deadline=None)
@given(name=st.text(max_size=40), email=st.text(max_size=20))
def test_any_unicode_name_gives_well_formed_xhtml(library: Library, name: str, email: str) -> None:
    copy = stamp_epub(library["ebooklib"], Stamp(name, email, "o-1", "KQMV-2F9W-SZEY"))
    for entry, data in entries(copy).items():
        if entry.endswith((".xhtml", ".opf")):
            parse(data)
    assert names_on_page(copy)[:2] == [one_line(name), one_line(email)]


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "Tom & Jerry",
        "O'Brien \"Quote\" ]]> -->",
        "محمد بن سلمان",
        "דוד בן-גוריון",
        "王小明",
        "山田 太郎",
        "Zoë\u200dß\u200c",  # joiners spell names: they stay
        "Ada\u202eevil",  # a bidi override could disguise the name: it goes
        "\x00\x1b[31mred\ud800",  # C0 controls, an escape sequence and a lone surrogate
    ],
    ids=["markup", "ampersand", "quotes", "arabic", "hebrew", "chinese", "japanese",
         "joiners", "bidi-override", "controls"],
)  # fmt: skip
def test_hostile_names_come_out_as_the_text_they_are(library: Library, name: str) -> None:
    copy = stamp_epub(library["epub2"], Stamp(name, "a@example.com", "o-1", "KQMV-2F9W-SZEY"))
    files = entries(copy)  # EPUB 2: no <bdi> in XHTML 1.1, so FSI…PDI isolate each field
    page = parse(files["OEBPS/exlibris.xhtml"])
    shown = "".join(page.itertext())
    assert f"\u2068{one_line(name)}\u2069" in shown
    chapter = parse(files["OEBPS/chapter1.xhtml"])
    assert one_line(name) in "".join(chapter.itertext())
    assert "\u202e" not in shown and "\x1b" not in shown


def test_a_template_with_literal_markup_is_escaped_too(library: Library) -> None:
    style = StampStyle(exlibris_template="<b>{name}</b> & co", footer_template="{code} <i>")
    copy = stamp_epub(library["pandoc"], Stamp("Ada", "a@x.y", "o", "KQMV-2F9W-SZEY"), style)
    page = next(v for k, v in entries(copy).items() if k.endswith("exlibris.xhtml")).decode()
    assert "&lt;b&gt;<bdi>Ada</bdi>&lt;/b&gt; &amp; co" in page


@pytest.mark.parametrize(("book", "epub3"), [("pandoc", True), ("epub2", False)])
def test_an_imprints_name_is_text_isolated_like_a_buyers(
    library: Library, book: str, epub3: bool
) -> None:
    seller = "Held Out <Press> & دار\u202e"
    stamp = Stamp("Ada", "a@x.y", "o", "KQMV-2F9W-SZEY", seller=seller, accent="#7a1f5c")
    files = entries(stamp_epub(library[book], stamp))
    page = parse(next(v for k, v in files.items() if k.endswith("exlibris.xhtml")))
    [line] = [p for p in page.iter(f"{XHTML}p") if p.get("class") == "exlibris-seller"]
    isolated = "".join(line.itertext())
    assert isolated == (one_line(seller) if epub3 else f"\u2068{one_line(seller)}\u2069")
    assert "\u202e" not in isolated


@pytest.mark.parametrize("accent", ["", "red", "#7a1f5c; } body { display: none", "#12345"])
def test_only_a_plain_colour_reaches_the_pages_stylesheet(library: Library, accent: str) -> None:
    stamp = Stamp("Ada", "a@x.y", "o", "KQMV-2F9W-SZEY", seller="Held Out", accent=accent)
    css = next(v for k, v in entries(stamp_epub(library["pandoc"], stamp)).items()
               if k.endswith("exlibris.css"))  # fmt: skip
    assert b".exlibris-plate { border-color" not in css and b"body { display" not in css
