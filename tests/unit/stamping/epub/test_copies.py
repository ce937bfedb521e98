"""A stamped copy of each test book keeps everything and adds exactly the stamp."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

import pytest

from stamping.epub import marks
from stamping.epub.book import open_book
from stamping.epub.fidelity import copy_problems
from stamping.epub.package import XHTML
from stamping.epub.plan import plan_stamp
from stamping.epub.stamper import stamp_epub
from stamping.epub.tracing import trace_epub
from stamping.style import StampStyle
from tests.unit.stamping.epub.conftest import NAMES, STAMP, Library
from tests.unit.stamping.epub.helpers import entries, parse, unstamped

Copy = Callable[[str], bytes]


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_stays_and_untouched_ones_keep_their_bytes(
    name: str, library: Library, stamped: Copy
) -> None:
    book = open_book(library[name])
    plan = plan_stamp(book, StampStyle())
    copy = stamped(name)
    assert copy_problems(book, plan, copy) == []
    # OCF: the first local header is "mimetype", stored, no extra field, then its content.
    assert copy[30:58] == b"mimetypeapplication/epub+zip"
    added = entries(copy).keys() - entries(library[name]).keys()
    assert added == {plan.page_path, plan.css_path}


@pytest.mark.parametrize("name", NAMES)
def test_documents_and_package_differ_from_the_original_only_by_the_stamp(
    name: str, library: Library, stamped: Copy
) -> None:
    before, after = entries(library[name]), entries(stamped(name))
    changed = [n for n in before if before[n] != after[n]]
    assert changed, "the stamp changed nothing"
    for entry in changed:
        assert unstamped(after[entry].decode("utf-8")) == before[entry].decode("utf-8"), entry


@pytest.mark.parametrize("name", NAMES)
def test_the_page_follows_the_cover_in_the_spine_but_not_in_nav_or_ncx(
    name: str, library: Library, stamped: Copy
) -> None:
    original = open_book(library[name])
    plan = plan_stamp(original, StampStyle())
    copy = open_book(stamped(name), original=False)
    spine = [ref.item.path for ref in copy.package.spine]
    expected = [ref.item.path for ref in original.package.spine]
    expected.insert(0 if plan.cover is None else plan.cover + 1, plan.page_path)
    assert spine == expected
    page = posixpath.basename(plan.page_path)
    navigation = [i.path for i in copy.package.items.values() if i.media_type.endswith("ncx+xml")]
    navigation += [copy.package.nav.path] if copy.package.nav else []
    assert navigation, "every test book has a nav or an NCX"
    for path in navigation:
        assert page not in copy.archive.read(path).decode()


def test_the_cover_is_found_in_each_producers_way(library: Library) -> None:
    covers = {}
    for name in ("pandoc", "ebooklib", "epub2", "sphinx"):
        book = open_book(library[name])
        plan = plan_stamp(book, StampStyle())
        covers[name] = None if plan.cover is None else book.package.spine[plan.cover].item.path
    assert covers == {
        "pandoc": "EPUB/text/cover.xhtml",  # named cover, with the cover image
        "ebooklib": "EPUB/cover.xhtml",
        "epub2": "OEBPS/cover.xhtml",  # the guide's cover, linear="no"
        "sphinx": None,  # no cover: the page opens the book
    }


@pytest.mark.parametrize("name", NAMES)
def test_every_marked_document_is_well_formed_and_names_the_order(name: str, stamped: Copy) -> None:
    copy = open_book(stamped(name), original=False)
    nav = copy.package.nav.path if copy.package.nav else None
    documents = [r.item for r in copy.package.spine if r.item.path != nav]
    for item in documents:
        raw = copy.archive.read(item.path)
        parse(raw)
        found = marks.read_text_marks(raw.decode("utf-8"))
        assert found["comment"] == (STAMP.order_id, STAMP.code), item.path
        if item.media_type == XHTML:
            expected = (STAMP.order_id if copy.package.epub3 else None, STAMP.code)
            assert found["attribute"] == expected, item.path
    assert trace_epub(stamped(name)).order_id == STAMP.order_id


@pytest.mark.parametrize("name", ["pandoc", "sphinx", "ebooklib", "epub2", "rtl"])
def test_reflowable_chapters_end_with_the_footer_line(
    name: str, library: Library, stamped: Copy
) -> None:
    book = open_book(library[name])
    plan = plan_stamp(book, StampStyle())
    files = entries(stamped(name))
    with_footer = [t.path for t in plan.targets if t.footer]
    assert with_footer
    for path in with_footer:
        text = files[path].decode()
        footer = re.search(
            r'<div[^>]* class="exlibris-footer"[^>]*>(.*?)</div>\s*</body>', text, re.S
        )
        assert footer is not None, path
        assert "&lt;b&gt;&amp;amp; 王小明 محمد" in footer.group(1)  # markup in the name is text
        assert STAMP.code in footer.group(1) and "\u202e" not in text
    if plan.cover is not None:  # the cover page stays a picture
        assert "exlibris-footer" not in files[book.package.spine[plan.cover].item.path].decode()


@pytest.mark.parametrize(
    ("footer", "name", "pages_with_footer"),
    [
        ("auto", "fixed-layout", 0),  # fixed-layout pages have no room below their content
        ("chapters", "fixed-layout", 3),  # on request: at the foot of each XHTML page
        ("none", "pandoc", 0),
    ],
)
def test_the_footer_option(
    footer: str, name: str, pages_with_footer: int, library: Library
) -> None:
    copy = stamp_epub(library[name], STAMP, StampStyle(footer=footer))
    texts = [data.decode() for n, data in entries(copy).items() if n.endswith(".xhtml")]
    footers = [t for t in texts if 'class="exlibris-footer' in t]
    assert len(footers) == pages_with_footer
    assert all('class="exlibris-footer exlibris-footer-fixed"' in t for t in footers)
    css = next(data.decode() for n, data in entries(copy).items() if n.endswith("exlibris.css"))
    assert "div.exlibris-footer-fixed { position: absolute !important;" in css
