"""Books a stranger can upload that `check` used to call clean: each is refused or warned about,
in words, by `check` and `stamp` alike."""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest

from stamping.epub.preflight import check_epub, format_report
from stamping.epub.stamper import stamp_epub
from stamping.stamp import StampError
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP

CHAPTER = books.xhtml3("One", "<p>Chapter one.</p>")
MANIFEST = '\n    <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>'
SPINE = '\n    <itemref idref="c1"/>'
PLACEHOLDER = "placeholder-name-long-enough-for-any"


def files(changes: dict[str, str] | None = None) -> dict[str, str | bytes]:
    """A small valid EPUB 3's entries (beyond mimetype and container.xml), with `changes`."""
    book: dict[str, str | bytes] = {
        "OEBPS/content.opf": books.opf3(MANIFEST, SPINE),
        "OEBPS/nav.xhtml": books.nav3([("c1.xhtml", "One")]),
        "OEBPS/c1.xhtml": CHAPTER,
    }
    book.update(changes or {})
    return book


def zipped(
    entries: list[tuple[str, str | bytes]], mimetype: bytes = b"application/epub+zip"
) -> bytes:
    """A zip with exactly these entries in this order (zipfile warns on a repeated name, and
    writes it anyway: what a careless tool or a hostile one produces)."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name: ..."
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
            archive.writestr(
                "META-INF/container.xml", books.CONTAINER.format(opf="OEBPS/content.opf")
            )
            for name, data in entries:
                archive.writestr(name, data)
    return out.getvalue()


def refused(data: bytes, *words: str) -> None:
    """`stamp` raises StampError and `check` reports the same sentence, naming `words`."""
    with pytest.raises(StampError) as caught:
        stamp_epub(data, STAMP)
    for word in words:
        assert word in str(caught.value)
    report = check_epub(data)
    assert not report.clean
    assert str(caught.value) in report.problems
    assert "does NOT stamp cleanly" in format_report(report)


def test_the_small_book_stamps_cleanly() -> None:
    data = zipped(list(files().items()))
    assert check_epub(data).clean
    assert check_epub(data).warnings == ()
    stamp_epub(data, STAMP)


@pytest.mark.parametrize("name", ["OEBPS/c1.xhtml", "OEBPS/content.opf"])
def test_a_duplicated_entry_is_refused_naming_it(name: str) -> None:
    book = files()
    first = [(n, d) for n, d in book.items()]
    data = zipped([*first, (name, book[name])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert [i.filename for i in archive.infolist()].count(name) == 2  # the hole, reproduced
    refused(data, name, "twice")


@pytest.mark.parametrize("name", ["../evil.xhtml", "OEBPS/../../evil.xhtml", "/etc/evil", "C:evil"])
def test_an_entry_outside_the_book_is_refused(name: str) -> None:
    entries = list(files().items())
    out = zipped([*entries, (PLACEHOLDER, b"x")])
    # zipfile rewrites "../" and "/" in names it writes; put the hostile name back in both headers
    raw = PLACEHOLDER.encode()
    assert len(name) <= len(raw)
    hostile = name.encode().ljust(len(raw), b"x") if len(name) < len(raw) else name.encode()
    data = out.replace(raw, hostile)
    refused(data, hostile.decode(), "outside")


def test_a_mimetype_other_than_epub_is_a_warning() -> None:
    data = zipped(list(files().items()), mimetype=b"application/zip")
    report = check_epub(data)
    assert report.clean  # it stamps
    assert any("application/zip" in w for w in report.warnings)
    assert "warning:" in format_report(report)


LAUGHS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE {root} [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
"""


def test_a_chapter_declaring_entities_is_refused() -> None:
    chapter = CHAPTER.replace('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n', "")
    chapter = LAUGHS.format(root="html") + chapter.replace("Chapter one.", "&lol2;")
    refused(zipped(list(files({"OEBPS/c1.xhtml": chapter}).items())), "OEBPS/c1.xhtml", "entit")


def test_an_opf_declaring_entities_is_refused() -> None:
    opf = books.opf3(MANIFEST, SPINE).replace('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    opf = LAUGHS.format(root="package") + opf.replace("A test book", "&lol2;")
    refused(zipped(list(files({"OEBPS/content.opf": opf}).items())), "OEBPS/content.opf", "entit")


def test_an_external_dtd_is_not_an_entity_declaration() -> None:
    """XHTML 1.1's DOCTYPE names an external DTD that nothing fetches: the usual EPUB 2 case."""
    doctype = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
    )
    chapter = CHAPTER.replace("<!DOCTYPE html>", doctype)
    assert check_epub(zipped(list(files({"OEBPS/c1.xhtml": chapter}).items()))).clean


@pytest.mark.parametrize("href", ["../../c1.xhtml", "/OEBPS/c1.xhtml", "file:///etc/c1.xhtml"])
def test_a_spine_item_outside_the_zip_is_refused(href: str) -> None:
    manifest = MANIFEST + f'\n    <item id="out" href="{href}" media-type="application/xhtml+xml"/>'
    opf = books.opf3(manifest, SPINE + '\n    <itemref idref="out"/>')
    data = zipped(list(files({"OEBPS/content.opf": opf, "c1.xhtml": CHAPTER}).items()))
    refused(data, href, "outside")


def prolog(declaration: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html [\n  {declaration}\n]>\n'


def test_a_plain_entity_as_older_books_declare_it_passes() -> None:
    """EPUB 3.3 still allows internal entities (w3c/epubcheck 6e44b39): a named character."""
    chapter = CHAPTER.replace('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n', "")
    doctype = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html [\n  <!ENTITY nbsp "&#160;">\n]>\n'
    )
    chapter = doctype + chapter.replace("Chapter one.", "Chapter&nbsp;one.")
    assert check_epub(zipped(list(files({"OEBPS/c1.xhtml": chapter}).items()))).clean


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY ext SYSTEM "file:///etc/passwd">',
        '<!ENTITY % param "x">',
        f'<!ENTITY long "{"x" * 65}">',
    ],
    ids=["external", "parameter", "long"],
)
def test_an_entity_that_can_harm_a_reader_is_refused(declaration: str) -> None:
    chapter = CHAPTER.replace('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n', "")
    chapter = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html [\n  {declaration}\n]>\n' + chapter
    )
    refused(zipped(list(files({"OEBPS/c1.xhtml": chapter}).items())), "OEBPS/c1.xhtml", "entit")
