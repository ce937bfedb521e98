"""Choosing the engine by content, and the zip quirks the raw copier must carry over."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from stamping.epub.stamper import stamp_epub
from stamping.formats import check_file, detect_format, prepare, stamp_file, trace_file
from stamping.stamp import StampError, TraceError
from tests.support import pdfs
from tests.unit.stamping.epub import books
from tests.unit.stamping.epub.conftest import STAMP, Library
from tests.unit.stamping.epub.helpers import entries


def docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: pdfs.book(3), "pdf"),
        (books.ebooklib_book, "epub"),
        (lambda: books.zip_epub({"OEBPS/content.opf": "x"})[:4] + b"\0" * 60, None),
        (docx_like, None),
        (lambda: b"", None),
        (lambda: b"plain text", None),
    ],
    ids=["pdf", "epub", "cut-off-zip", "other-zip", "empty", "text"],
)
def test_the_format_is_told_by_content(make: Callable[[], bytes], kind: str | None) -> None:
    assert detect_format(make()) == kind


def test_an_epub_without_the_mimetype_signature_is_still_an_epub(library: Library) -> None:
    files = entries(library["rtl"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in reversed(files.items()):  # mimetype last, deflated: a sloppy zip tool
            archive.writestr(name, data)
    assert detect_format(out.getvalue()) == "epub"
    copy = stamp_file(out.getvalue(), STAMP)
    assert copy[30:58] == b"mimetypeapplication/epub+zip"  # the copy puts it right


def test_each_format_goes_to_its_engine(library: Library) -> None:
    epub = stamp_file(library["ebooklib"], STAMP)
    assert trace_file(epub).order_id == STAMP.order_id
    pdf = stamp_file(pdfs.book(3), STAMP)
    assert trace_file(pdf).order_id == STAMP.order_id
    assert (
        check_file(library["ebooklib"]).clean
        and "ex-libris page:" in check_file(library["ebooklib"]).text
    )


@pytest.mark.parametrize("data", [docx_like(), b"hello"], ids=["other-zip", "text"])
def test_a_file_that_is_neither_is_refused(data: bytes) -> None:
    with pytest.raises(StampError, match="neither a PDF nor an EPUB"):
        stamp_file(data, STAMP)


def empty_zip() -> bytes:
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


UNCLAIMED = [
    (b"", "it is empty"),
    (empty_zip(), "it is an empty zip archive"),
    (b"PK\x03\x04" + b"\0" * 60, "it is a damaged zip archive"),
    (docx_like(), "it is a zip archive of 1 file(s) ([Content_Types].xml)"),
    (b"hello", "it starts with b'hello'"),
]


@pytest.mark.parametrize(
    ("data", "says"), UNCLAIMED, ids=["empty", "empty-zip", "damaged-zip", "other-zip", "text"]
)
def test_a_file_no_format_claims_is_said_for_what_it_is(data: bytes, says: str) -> None:
    """Not "this file is not a PDF": the author learns what the file they sent is."""
    refusal = f"this file is neither a PDF nor an EPUB: {says}"
    with pytest.raises(StampError) as stamped:
        stamp_file(data, STAMP)
    with pytest.raises(StampError) as prepared:
        prepare(data)
    with pytest.raises(TraceError) as traced:
        trace_file(data)
    checked = check_file(data)
    for message in (str(stamped.value), str(prepared.value), str(traced.value), checked.text):
        assert refusal in message and "not a PDF" not in message
    assert not checked.clean and "does NOT stamp cleanly" in checked.text


def test_an_unreadable_epub_is_a_trace_error() -> None:
    with pytest.raises(TraceError):
        trace_file(b"PK\x03\x04" + b"\0" * 26 + b"mimetypeapplication/epub+zip")


def odd_zip() -> bytes:
    """UTF-8 names, an entry comment, a stored image, a bzip2 entry and a directory entry."""
    out = io.BytesIO()
    base = entries(books.rtl_book())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), base.pop("mimetype"))
        for name, data in base.items():
            archive.writestr(name, data)
        archive.writestr("OEBPS/images/", b"")
        info = zipfile.ZipInfo("OEBPS/images/ünïcødé.bin", date_time=(2020, 5, 6, 7, 8, 10))
        info.comment = b"an entry comment"
        archive.writestr(
            info, b"\x89PNG" + bytes(range(256)) * 40, compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("OEBPS/extra.bz2.bin", b"bzip2 " * 500, compress_type=zipfile.ZIP_BZIP2)
    return out.getvalue()


def test_odd_entries_are_copied_as_they_were() -> None:
    original = odd_zip()
    copy = stamp_epub(original, STAMP)
    before = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(original)).infolist()}
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None
        for name in ("OEBPS/images/", "OEBPS/images/ünïcødé.bin", "OEBPS/extra.bz2.bin"):
            info = archive.getinfo(name)
            old = before[name]
            assert (info.compress_type, info.CRC, info.date_time, info.comment) == (
                old.compress_type, old.CRC, old.date_time, old.comment,
            )  # fmt: skip
            assert archive.read(name) == zipfile.ZipFile(io.BytesIO(original)).read(name)
        assert archive.getinfo("OEBPS/images/ünïcødé.bin").flag_bits & 0x800


class Unseekable(io.RawIOBase):
    """A pipe-like output: zipfile then writes each entry's sizes in a data descriptor."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def, override]
        self.data += b
        return len(b)


def test_entries_with_data_descriptors_are_copied_whole(library: Library) -> None:
    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries(library["epub2"]).items():
            archive.writestr(name, data)
    original = bytes(out.data)
    assert zipfile.ZipFile(io.BytesIO(original)).getinfo("OEBPS/cover.png").flag_bits & 0x8
    copy = stamp_epub(original, STAMP)
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert archive.testzip() is None
        assert archive.read("OEBPS/cover.png") == entries(original)["OEBPS/cover.png"]


def test_a_copy_written_into_a_stream_is_the_copy(library: Library, tmp_path: Path) -> None:
    """The worker writes through `prepare(...).write` into a file or an upload, piece by piece."""
    original = library["pandoc"]
    target = tmp_path / "copy.epub"
    with target.open("wb") as out:
        assert prepare(original).write(STAMP, out) == ""
    assert target.read_bytes() == stamp_epub(original, STAMP)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
    assert trace_file(target.read_bytes()).findings[0].order_id == STAMP.order_id
