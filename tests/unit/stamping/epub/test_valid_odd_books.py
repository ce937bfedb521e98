"""Books EPUBCheck passes that the stamper once refused or stamped only in part (issue 26):
each stamps, and `check` and `trace` agree with what the copy holds."""

from __future__ import annotations

import io
import zipfile

from stamping.epub.preflight import check_epub, format_report
from stamping.epub.stamper import stamp_epub
from stamping.epub.tracing import trace_epub
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP
from tests.unit.stamping.epub.helpers import entries
from tests.unit.stamping.epub.test_hostile_books import CHAPTER, files, refused, zipped


def test_ids_with_spaces_around_them_are_the_ids_without() -> None:
    """XML IDs are normalised: id=" c1 " is c1 (epubcheck's opf-package-id-spaces-valid and
    conformance-xml-id-leading-trailing-spaces-valid), for the spine and unique-identifier."""
    manifest = (
        '\n    <item id=" c1 " href="c1.xhtml" media-type="application/xhtml+xml"/>'
        '\n    <item id="c2\t" href="c2.xhtml" media-type="application/xhtml+xml"/>'
    )
    spine = '\n    <itemref idref="c1"/>\n    <itemref idref=" c2 "/>'
    opf = books.opf3(manifest, spine).replace(
        '<dc:identifier id="uid">', '<dc:identifier id=" uid ">'
    )
    data = zipped(list(files({"OEBPS/content.opf": opf, "OEBPS/c2.xhtml": CHAPTER}).items()))
    report = check_epub(data)
    assert report.clean, format_report(report)
    assert ("identifier", repr(books.UUID)) in report.facts
    copy = entries(stamp_epub(data, STAMP))
    for name in ("OEBPS/c1.xhtml", "OEBPS/c2.xhtml"):
        assert STAMP.code in copy[name].decode()
    assert trace_epub(stamp_epub(data, STAMP)).code == STAMP.code


TWO_RENDITIONS = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
    <rootfile full-path="OTHER/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def test_a_book_of_several_renditions_is_refused_in_words() -> None:
    """epubcheck's renditions-basic-valid: only the first rendition was stamped, and `check`
    called it clean. A reading system may open any of them, so none may go unmarked."""
    book = files()
    other = {name.replace("OEBPS/", "OTHER/"): data for name, data in book.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        archive.writestr("META-INF/container.xml", TWO_RENDITIONS)
        for name, data in {**book, **other}.items():
            archive.writestr(name, data)
    refused(out.getvalue(), "2 renditions", "OEBPS/content.opf", "OTHER/content.opf")
