"""The stamping plan: one layout, many buyers, each copy a complete single-revision file.

Copies are checked with qpdf (the reference parser) and pikepdf; the cut-off
checks also ask poppler and MuPDF, the parsers readers use, to open what is
left of a copy without its buyer's part.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import zlib
from pathlib import Path

import pikepdf
import pytest

from stamping.pdf.marks._reader import read_marks
from stamping.pdf.plan import prepare_plan
from stamping.pdf.plan._spool import Spool
from stamping.pdf.plan._xref import XrefError, read_xref
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.support import pdfs

ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_ada", "KQMV-2F9W-SZEY")
BOB = Stamp("Bob Byte", "bob@example.com", "txn_bob", "7K3M-Q9TX-2B4F")


def object_streams(pages: int = 12) -> bytes:
    """The sample book rewritten with object streams and a cross-reference stream."""
    with pikepdf.open(io.BytesIO(pdfs.book(pages))) as pdf:
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


BOOKS = {
    "xref-table": lambda: pdfs.book(12),
    "object-streams": object_streams,
    "owner-encrypted": lambda: pdfs.encrypted(owner="author-secret", pages=6),
}


@pytest.fixture(params=sorted(BOOKS))
def book(request: pytest.FixtureRequest) -> bytes:
    return BOOKS[request.param]()


def qpdf_check(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_copy_of_one_plan_is_valid_and_names_only_its_buyer(book, tmp_path) -> None:
    plan = prepare_plan(book)
    for stamp, other in ((ADA, BOB), (BOB, ADA), (ADA, BOB)):
        copy = plan.copy(stamp)
        qpdf_check(copy, tmp_path)
        with pikepdf.open(io.BytesIO(copy)) as pdf:
            found = read_marks(pdf)
            assert {code for _, code in found.values() if code} == {stamp.code}
            assert {order for order, _ in found.values() if order} == {stamp.order_id}
        assert other.code.encode() not in copy and other.order_id.encode() not in copy


def test_a_copy_is_one_revision(book) -> None:
    copy = prepare_plan(book).copy(ADA)
    assert copy.count(b"%%EOF") == 1
    assert copy.count(b"startxref") == 1
    assert copy.rstrip().endswith(b"%%EOF")


def test_copies_share_the_book_and_differ_only_after_it(book) -> None:
    plan = prepare_plan(book)
    ada, bob = plan.copy(ADA), plan.copy(BOB)
    shared = plan.shared.read()
    assert ada[: len(shared)] == bob[: len(shared)] == shared
    assert len(ada) - len(shared) < 64 * 1024  # the buyer's part: footer, fonts, marks, xref


def test_the_same_buyer_twice_gives_the_same_file() -> None:
    plan = prepare_plan(pdfs.book(6))
    assert plan.copy(ADA) == plan.copy(ADA)


def test_an_encrypted_copy_keeps_the_restrictions_and_reads_its_marks_through_them() -> None:
    copy = prepare_plan(BOOKS["owner-encrypted"]()).copy(ADA)
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        assert pdf.is_encrypted
        assert not pdf.allow.extract
        assert str(pdf.docinfo["/ExLibrisOrder"]) == ADA.order_id
        assert ADA.code.encode() not in copy  # strings are encrypted, as the book's are


@pytest.mark.parametrize("cut", ["shared", "before-tail"])
def test_a_copy_cut_short_is_no_clean_book(book, cut, tmp_path) -> None:
    """Bytes before the buyer's part hold no catalog and no page tree: nothing opens."""
    plan = prepare_plan(book)
    copy = plan.copy(ADA)
    tail = sum(len(data) for _, data in plan.tail)
    keep = plan.shared.size if cut == "shared" else copy.rfind(plan.tail[0][1])
    assert 0 < keep < len(copy) - tail
    path = tmp_path / "cut.pdf"
    path.write_bytes(copy[:keep])
    assert _pages_pikepdf(path) == 0
    for command in (
        ["pdftotext", str(path), "-"],
        ["mutool", "draw", "-F", "txt", "-o", "-", str(path)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 or not result.stdout.strip(), (command, result.stdout[:200])


def _pages_pikepdf(path: Path) -> int:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return 0


def test_skipping_every_page_stamps_the_last_one_and_says_so() -> None:
    plan = prepare_plan(pdfs.hand_written(1), StampStyle(skip_pages=1))
    assert plan.notes and "last page" in plan.notes[0]
    with pikepdf.open(io.BytesIO(plan.copy(ADA))) as pdf:
        assert "footer" in read_marks(pdf)


def test_a_copy_into_a_file_on_another_file_system_than_the_spool(tmp_path: Path) -> None:
    """copy_file_range refuses to cross file systems (EXDEV): the copy is written in chunks."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    plan = prepare_plan(pdfs.book(3))
    with tempfile.TemporaryFile(dir=shm) as elsewhere:
        kept = plan.shared.read()
        elsewhere.write(kept)
        elsewhere.flush()
        spool = Spool(elsewhere, ((0, len(kept)),))
        target = tmp_path / "copy.bin"
        with target.open("wb") as out:
            out.write(b"head")
            spool.write_to(out)
            out.write(b"tail")
        assert target.read_bytes() == b"head" + kept + b"tail"


def _xref_stream_file(widths: bytes, rows: bytes) -> bytes:
    """A file ending in a cross-reference stream of these /W widths and rows."""
    body = zlib.compress(rows)
    head = b"%PDF-1.7\n"
    return head + (
        b"1 0 obj\n<< /Type /XRef /W [%s] /Size %d /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        b"startxref\n%d\n%%%%EOF\n" % (widths, len(rows) // 8, len(body), body, len(head))
    )


@pytest.mark.parametrize(
    ("data", "says"),
    [
        # An index past 65,535 in a third byte: a copy's /W [1 4 2] rows cannot hold it.
        (
            _xref_stream_file(
                b"1 4 3", b"\x02" + (7).to_bytes(4, "big") + (70_000).to_bytes(3, "big")
            ),
            "too wide",
        ),
        (
            b"%PDF-1.7\nxref\n0 1\nnot a row at all\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n",
            "cannot be read",
        ),
        (
            b"%PDF-1.7\n1 0 obj\n<< /W [1 4 2] /Size 1 /Length 9 >>\nstream\nnot flate\nendstream"
            b"\nendobj\nstartxref\n9\n%%EOF\n",
            "cannot be read",
        ),
    ],
    ids=["field-too-wide", "table-garbage", "stream-not-deflate"],
)
def test_the_plans_xref_reader_refuses_other_shapes_as_xref_errors(data: bytes, says: str) -> None:
    """Never a ValueError or zlib.error: prepare_plan falls back to a plainer qpdf output."""
    with pytest.raises(XrefError, match=says):
        read_xref(data)
