"""trace_pdf: a copy names its order from whatever marks survive tampering."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from stamping.pdf.stamper import stamp_pdf
from stamping.pdf.tracing import Trace, TraceError, trace_pdf
from stamping.stamp import Stamp
from tests.support import pdfs

STAMP = Stamp(
    name="Ada Lovelace", email="ada@example.com", order_id="txn_01hx", code="KQMV-2F9W-SZEY"
)
ALL_MARKS = ("docinfo", "xmp", "pieceinfo", "content", "footer", "id")


@pytest.fixture(scope="module")
def copy() -> bytes:
    return stamp_pdf(pdfs.book(6), STAMP)


def test_a_fresh_copy_carries_every_mark(copy: bytes) -> None:
    assert trace_pdf(copy) == Trace(order_id="txn_01hx", code="KQMV-2F9W-SZEY", marks=ALL_MARKS)


def test_an_original_has_no_marks() -> None:
    assert trace_pdf(pdfs.book(4)) == Trace(order_id=None, code=None, marks=())


def test_the_document_id_is_derived_from_the_order() -> None:
    def first_id(order: str, code: str) -> bytes:
        data = stamp_pdf(pdfs.book(3), Stamp("A", "a@x.y", order, code))
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return bytes(pdf.trailer.ID[0])

    one = first_id("txn_1", "AAAA-BBBB-CCCC")
    assert one == first_id("txn_1", "AAAA-BBBB-CCCC")
    assert one != first_id("txn_2", "DDDD-EEEE-FFFF")
    assert len(one) == 16


def strip_footer_and_metadata(data: bytes) -> bytes:
    """What a pirate does: delete the footer drawing, the docinfo keys and the XMP packet."""

    def edit(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            for name in [n for n in page.Resources.get("/XObject", {}) if "ExLibris" in n]:
                del page.Resources.XObject[name]
            for part in page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else []:
                cleaned = re.sub(rb"/ExLibris\w+ Do", b"", part.read_bytes())
                part.write(cleaned)
        for key in ("/ExLibrisOrder", "/ExLibrisCode"):
            del pdf.docinfo[key]
        del pdf.Root.Metadata

    return pdfs.edited(data, edit)


def test_order_survives_removal_of_the_visible_footer(copy: bytes) -> None:
    tampered = strip_footer_and_metadata(copy)
    assert b"Ada Lovelace" not in tampered  # sanity: the footer really is gone
    trace = trace_pdf(tampered)
    assert trace.order_id == "txn_01hx"
    assert trace.code == "KQMV-2F9W-SZEY"
    assert "footer" not in trace.marks and "docinfo" not in trace.marks
    assert {"pieceinfo", "content"} <= set(trace.marks)


def test_the_id_alone_still_names_the_code(copy: bytes) -> None:
    def keep_only_id(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages[1:]:  # the cover is not stamped
            del page.obj.PieceInfo
            page.obj.Contents = page.obj.Contents[1]  # the author's own content only

    tampered = pdfs.edited(strip_footer_and_metadata(copy), keep_only_id)
    assert trace_pdf(tampered) == Trace(order_id=None, code="KQMV-2F9W-SZEY", marks=("id",))


def test_not_a_pdf_is_a_trace_error() -> None:
    with pytest.raises(TraceError):
        trace_pdf(b"hello")


def test_a_tampered_content_mark_is_skipped_not_fatal(sample_book: bytes) -> None:
    import io

    import pikepdf

    from stamping.pdf.stamper import stamp_pdf
    from stamping.pdf.tracing import trace_pdf
    from stamping.stamp import Stamp

    copy = stamp_pdf(sample_book, Stamp("Ada", "ada@example.com", "o-77", "KQMV-2F9W-SZEY"))
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        for page in pdf.pages[1:]:
            first = page.obj.Contents[0]
            first.write(first.read_bytes().replace(b'"order"', b'"order"[[[', 1))
        out = io.BytesIO()
        pdf.save(out)
    trace = trace_pdf(out.getvalue())
    assert trace.order_id == "o-77"
    assert "content" not in trace.marks
