"""trace_pdf: a copy names its order from whatever marks survive tampering, page by page."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from common.codes import make_code
from console.files._trace import authentic_with
from stamping.pdf import stamp_pdf
from stamping.pdf.trace import Finding, TraceError, format_finding, trace_pdf
from stamping.stamp import Stamp
from stamping.trace import CodeCheck, page_ranges
from tests.support import pdfs

SECRET = "trace-test-secret"
ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_01hx", make_code(SECRET, "txn_01hx"))
BOB = Stamp("Bob Byte", "bob@example.com", "txn_02bb", make_code(SECRET, "txn_02bb"))
ALL_MARKS = ("docinfo", "xmp", "id", "pieceinfo", "content", "footer", "body", "text")


authentic = authentic_with(SECRET)  # what `trace` checks codes with


@pytest.fixture(scope="module")
def copy() -> bytes:
    return stamp_pdf(pdfs.book(6), ADA)


def only(data: bytes) -> Finding:
    trace = trace_pdf(data, authentic)
    assert len(trace.findings) == 1, trace.findings
    return trace.findings[0]


def test_a_fresh_copy_carries_every_mark_on_every_stamped_page(copy: bytes) -> None:
    assert only(copy) == Finding(
        order_id="txn_01hx", code=ADA.code, authentic=True, marks=ALL_MARKS, pages=(2, 3, 4, 5, 6)
    )


def test_an_original_has_no_marks() -> None:
    trace = trace_pdf(pdfs.book(4), authentic)
    assert trace.findings == () and not trace.found_authentic and trace.pages == 4


def test_without_a_checker_nothing_is_called_authentic(copy: bytes) -> None:
    finding = trace_pdf(copy).findings[0]
    assert finding.authentic is None and finding.verdict == "not checked"


def test_a_code_from_another_shop_is_forged(copy: bytes) -> None:
    finding = only(copy)
    other = trace_pdf(copy, lambda code: False).findings[0]
    assert other.verdict == "FORGED" and other.code == finding.code


def test_a_forged_footer_is_reported_as_forged_beside_the_genuine_marks(copy: bytes) -> None:
    fake = "ABCD-EFGH-JKMN"

    def forge(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages[1:]:
            piece = page.obj.PieceInfo.ExLibris.Private
            piece.Code = pikepdf.String(fake)

    findings = trace_pdf(pdfs.edited(copy, forge), authentic).findings
    verdicts = {f.code: (f.verdict, f.marks) for f in findings}
    assert verdicts[fake] == ("FORGED", ("pieceinfo",))
    assert verdicts[ADA.code][0] == "authentic"
    assert findings[0].code == ADA.code  # authentic findings come first


def test_the_document_id_is_derived_from_the_order() -> None:
    def first_id(stamp: Stamp) -> bytes:
        with pikepdf.open(io.BytesIO(stamp_pdf(pdfs.book(3), stamp))) as pdf:
            return bytes(pdf.trailer.ID[0])

    assert first_id(ADA) == first_id(ADA) != first_id(BOB)
    assert len(first_id(ADA)) == 16


def strip_footer_and_metadata(data: bytes) -> bytes:
    """What a pirate does: delete the footer drawing, the docinfo keys and the XMP packet."""

    def edit(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            for name in [n for n in page.Resources.get("/XObject", {}) if "ExLibris" in n]:
                del page.Resources.XObject[name]
            for part in page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else []:
                part.write(re.sub(rb"/ExLibris\w+ Do", b"", part.read_bytes()))
        for key in ("/ExLibrisOrder", "/ExLibrisCode"):
            del pdf.docinfo[key]
        del pdf.Root.Metadata

    return pdfs.edited(data, edit)


def test_order_survives_removal_of_the_visible_footer(copy: bytes) -> None:
    tampered = strip_footer_and_metadata(copy)
    assert b"Ada Lovelace" not in tampered  # sanity: the footer really is gone
    finding = only(tampered)
    assert (finding.order_id, finding.code, finding.authentic) == ("txn_01hx", ADA.code, True)
    assert finding.marks == ("id", "pieceinfo", "content", "body")


def test_the_id_alone_still_names_the_code(copy: bytes) -> None:
    def keep_only_id(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages[1:]:  # the cover is not stamped
            del page.obj.PieceInfo
            page.obj.Contents = page.obj.Contents[1]  # the author's own content only

    tampered = pdfs.edited(strip_footer_and_metadata(copy), keep_only_id)
    assert only(tampered) == Finding(None, ADA.code, True, ("id",), ())


def test_the_body_mark_alone_names_order_and_code(copy: bytes) -> None:
    """Only the closing stream's invisible text is left: no footer, no hidden marks."""

    def keep_only_body(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages[1:]:
            del page.obj.PieceInfo
            page.obj.Contents = pikepdf.Array(list(page.obj.Contents)[1:])
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(b"x" * 16)] * 2)

    tampered = pdfs.edited(strip_footer_and_metadata(copy), keep_only_body)
    assert only(tampered) == Finding("txn_01hx", ADA.code, True, ("body",), (2, 3, 4, 5, 6))


def test_merged_copies_name_both_buyers_with_their_pages() -> None:
    a, b = (stamp_pdf(pdfs.book(8), s) for s in (ADA, BOB))
    with pikepdf.open(io.BytesIO(a)) as first, pikepdf.open(io.BytesIO(b)) as second:
        merged = pikepdf.new()
        for n in range(8):
            merged.pages.append((first if n % 2 == 0 else second).pages[n])
        out = io.BytesIO()
        merged.save(out)
    findings = {f.order_id: f for f in trace_pdf(out.getvalue(), authentic).findings}
    assert set(findings) == {"txn_01hx", "txn_02bb"}
    assert findings["txn_01hx"].pages == (3, 5, 7)  # page 1, the cover, is not stamped
    assert findings["txn_02bb"].pages == (2, 4, 6, 8)
    assert all(f.authentic for f in findings.values())


def test_not_a_pdf_is_a_trace_error_in_words() -> None:
    with pytest.raises(TraceError) as raised:
        trace_pdf(b"hello")
    assert "<_io." not in str(raised.value)


def test_a_tampered_content_mark_is_skipped_not_fatal(copy: bytes) -> None:
    def spoil(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages[1:]:
            first = page.obj.Contents[0]
            first.write(first.read_bytes().replace(b'"order"', b'"order"[[[', 1))

    finding = only(pdfs.edited(copy, spoil))
    assert finding.order_id == "txn_01hx" and "content" not in finding.marks


def test_pages_print_as_ranges() -> None:
    assert page_ranges((1, 2, 3, 5, 7, 8)) == "1-3, 5, 7-8"
    line = format_finding(Finding("o1", "AAAA-BBBB-CCCC", False, ("text",), (4,)))
    assert line == "order o1  code AAAA-BBBB-CCCC  FORGED  marks text  pages 4"


def test_a_copy_whose_order_id_was_rewritten_is_forged_and_names_no_one(copy: bytes) -> None:
    framed = pdfs.order_rewritten(copy, ADA.order_id, BOB.order_id)
    trace = trace_pdf(framed, authentic)
    assert not trace.found_authentic
    [finding] = trace.findings
    assert (finding.order_id, finding.code, finding.verdict) == (BOB.order_id, ADA.code, "FORGED")
    assert finding.reason == "the code was not issued for this order"
    assert {"docinfo", "xmp", "pieceinfo", "content", "body"} <= set(finding.marks)


def test_a_partly_rewritten_copy_names_the_true_order_beside_the_forgery(copy: bytes) -> None:
    def frame_info_only(pdf: pikepdf.Pdf) -> None:
        pdf.docinfo["/ExLibrisOrder"] = BOB.order_id

    findings = trace_pdf(pdfs.edited(copy, frame_info_only), authentic).findings
    genuine, forged = findings
    assert (genuine.order_id, genuine.authentic) == (ADA.order_id, True)
    assert (forged.order_id, forged.authentic, forged.marks) == (BOB.order_id, False, ("docinfo",))
    assert forged.owner == ADA.order_id
    assert "the code belongs to order txn_01hx" in format_finding(forged)


def test_the_code_index_names_the_owner_of_a_rewritten_copy(copy: bytes) -> None:
    index = {ADA.code: ADA.order_id}
    check = CodeCheck(authentic, authentic.issued_for, index.get)
    [finding] = trace_pdf(pdfs.order_rewritten(copy, ADA.order_id, BOB.order_id), check).findings
    assert (finding.order_id, finding.owner, finding.authentic) == (
        BOB.order_id,
        ADA.order_id,
        False,
    )


def test_a_pdf_with_an_open_password_is_a_trace_error_in_words() -> None:
    with pytest.raises(TraceError, match="needs a password"):
        trace_pdf(pdfs.encrypted(owner="o", user="u"), authentic)


def text_pdf(*lines: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    for n, line in enumerate(lines):
        page.drawString(72, 700 - 20 * n, line)
    page.save()
    return out.getvalue()


def test_look_alike_words_in_an_unstamped_book_are_no_forgeries() -> None:
    """Moby-Dick's "hand-over-hand" reads as HAND-0VER-HAND only through look-alike swaps."""
    book = text_pdf(
        "and hand-over-hand, up the rigging, to the fore-mast-head",
        "HAND-OVER-HAND he went, FORE-MAST-HEAD, kqmv-2f9w-szey",
    )
    assert trace_pdf(book, authentic).findings == ()


def test_a_printed_code_of_our_shape_that_fails_the_mac_is_forged() -> None:
    [finding] = trace_pdf(text_pdf("Order x · ABCD-EFGH-JKMN"), authentic).findings
    assert (finding.code, finding.verdict, finding.marks) == ("ABCD-EFGH-JKMN", "FORGED", ("text",))
