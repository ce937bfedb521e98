"""The evidence report drawn from a Case: it opens, it says what the case says, and nothing
the leaked file controls gets into it raw or at length.

Cases are built from real traces of real copies (stamped here, with the shop's checker),
and the report is read back as a viewer and a platform would: qpdf checks it, poppler's
pdftotext reads its words.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import replace
from datetime import UTC, datetime

import pikepdf
import pytest

from common.codes import make_code
from console.files._trace import authentic_with
from stamping.epub.tracing import CODE_MARKS
from stamping.formats import stamp_file, trace_file
from stamping.pdf.trace._tracing import MARKS
from stamping.report import BadPicture, Case, OrderFacts, Thumbnail, render_report, stamped_pages
from stamping.report._layout import Picture, encoded, width, wrapped
from stamping.report._words import SEARCHED
from stamping.stamp import Stamp
from stamping.trace import Finding, Place, Trace
from tests.conftest import needs
from tests.support import pdfs

SECRET = "report-secret"
MADE_AT = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)


ALICE = Stamp("Alice", "alice@example.com", "ord-ALICE", make_code(SECRET, "ord-ALICE"))


def case_of(data: bytes, **changes: object) -> Case:
    trace = trace_file(data, authentic_with(SECRET))
    fmt = "epub" if data[:2] == b"PK" else "pdf"
    case = Case("copy.pdf", hashlib.sha256(data).hexdigest(), len(data), fmt, trace, MADE_AT)
    return replace(case, **changes)  # type: ignore[arg-type]


def words(report: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(report)
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)
    return " ".join(done.stdout.decode("utf-8").split())  # lines joined: wrapping aside


pytestmark = [needs("pdftotext"), needs("qpdf")]


@pytest.fixture(scope="module")
def copy() -> bytes:
    return stamp_file(pdfs.book(5), ALICE)


def test_a_copy_s_report_names_its_order_marks_and_store_facts(copy: bytes, tmp_path) -> None:
    facts = OrderFacts("ord-ALICE", "2026-11-02T09:15:00+00:00", "stripe", "Moby-Dick", "mailed")
    case = case_of(copy, orders={"ord-ALICE": facts}, store_unread="")
    text = words(render_report(case), tmp_path)
    assert case.sha256 in text and f"{len(copy):,} bytes" in text
    assert f"Order named ord-ALICE Code {ALICE.code} Verdict AUTHENTIC" in text
    assert "Ordered 2026-11-02" in text and "Merchant stripe" in text and "Moby-Dick" in text
    assert "pieceinfo pages 2-5" in text and "docinfo the file as a whole" in text
    assert "2026-12-06 22:30:00 UTC" in text
    assert "Alice" not in text and "alice@example.com" not in text  # the buyer stays private


def test_the_notice_draft_has_every_element_of_512_c_3(copy: bytes, tmp_path) -> None:
    text = words(render_report(case_of(copy)), tmp_path)
    for element in (
        "(i) Signature",
        "(ii) The copyrighted work",
        "(iii) The infringing material",
        "(iv) How to reach me",
        "(v) Good faith",
        "good faith belief that use of the material in the manner complained of is not "
        "authorized by the copyright owner, its agent, or the law",
        "(vi) Accuracy, under penalty of perjury",
        "It is not legal advice",
        "§ 512(f)",
    ):
        assert element in text, element
    assert "[Full name]" in text and "Signature: ____" in text  # the author fills these in


def test_without_the_store_the_report_says_it_was_not_consulted(copy: bytes, tmp_path) -> None:
    case = case_of(copy, store_unread="no shop's store on this machine")
    text = words(render_report(case), tmp_path)
    assert "Order store not consulted: no shop's store on this machine" in text
    assert "Ordered not known: the shop's order store was not consulted" in text


def test_a_forged_copy_says_forged_and_names_the_real_order(copy: bytes, tmp_path) -> None:
    framed = pdfs.order_rewritten(copy, "ord-ALICE", "ord-BOB")
    index = authentic_with(SECRET, lambda serial: "ord-ALICE")  # the shop's code index
    case = replace(case_of(framed), trace=trace_file(framed, index))
    text = words(render_report(case), tmp_path)
    assert (
        "Order named ord-BOB" in text and "FORGED: the code was not issued for this order" in text
    )
    assert "Code belongs to order ord-ALICE" in text
    assert "their code belongs to order ord-ALICE" in text
    assert "does not point at the order it names" in text


def test_an_unmarked_file_is_hashed_and_says_what_was_searched(tmp_path) -> None:
    plain = pdfs.book(3)
    text = words(render_report(case_of(plain)), tmp_path)
    assert hashlib.sha256(plain).hexdigest() in text
    assert "No order is named" in text and "names no order" in text
    assert all(f"{mark} " in text for mark in MARKS)  # every mark searched for is listed
    assert "3 pages read" in text


HOSTILE = "ord-\x1b[2J\u202eECILA\r\n" + "x" * 5000


def test_what_the_file_says_is_quoted_escaped_and_cut(tmp_path) -> None:
    finding = Finding(
        HOSTILE,
        "AAAA-BBBB-CCCC",
        False,
        ("comment",),
        (),
        owner=None,
        reason="not issued by this shop",
        places=tuple(Place("comment", (), (f"OEBPS/{i}\x07.xhtml",)) for i in range(1)),
    )
    trace = Trace((finding,) * 40, 0, ("OCR read \x1b]0;owned\x07",))
    case = Case("leak\x1b[31m.epub", "0" * 64, 10, "epub", trace, MADE_AT, notes=trace.notes)
    report = render_report(case)
    text = words(report, tmp_path)
    assert "'ord-\\x1b[2J\\u202eECILA\\r\\nxxx" in text
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "x" * 200 not in text  # the 5,000 x's are cut
    assert "and 28 more findings" in text  # a file cannot make the report endless
    assert "'leak\\x1b[31m.epub'" in text and "'OEBPS/0\\x07.xhtml'" in text
    assert len(pikepdf.open(io.BytesIO(report)).pages) < 12


def test_a_character_outside_winansi_is_written_as_its_escape() -> None:
    assert encoded("Café ord-ő 中") == b"Caf\xe9 ord-\\u0151 \\u4e2d"
    assert encoded("a\x85b\u2028") == b"a\\x85b\\u2028"  # NEL and LINE SEPARATOR: no line breaks


def test_a_word_too_long_for_a_line_is_cut_not_run_over() -> None:
    lines = wrapped(b"sha " + b"f" * 300, "F1", 10, 200)
    assert lines[0] == b"sha" and all(width(line, "F1", 10) <= 200 for line in lines)
    assert b"".join(lines[1:]) == b"f" * 300


def test_a_picture_must_be_the_png_pdftoppm_writes(copy: bytes) -> None:
    with pytest.raises(BadPicture):
        Picture.of(b"GIF89a" + b"\0" * 40)
    empty = b"\x89PNG\r\n\x1a\n" + b"\0" * 30  # no IHDR
    with pytest.raises(BadPicture):  # callers hand in pdftoppm's output, never the file's
        render_report(case_of(copy, thumbnails=(Thumbnail(2, empty, 0.1),)))


def test_the_marks_described_are_the_marks_each_engine_reads() -> None:
    assert tuple(m for m, _ in SEARCHED["pdf"]) == MARKS
    assert tuple(m for m, _ in SEARCHED["epub"]) == CODE_MARKS


def test_the_stamped_pages_are_those_with_a_visible_mark(copy: bytes) -> None:
    assert stamped_pages(case_of(copy)) == (2, 3, 4, 5)
    assert stamped_pages(case_of(pdfs.book(3))) == ()


def test_a_code_without_its_order_id_is_named_through_the_code_index(tmp_path) -> None:
    """A copy stripped of every order id but a code: the index names the order, and the
    store's facts are that order's."""
    finding = Finding(None, ALICE.code, True, ("text",), (2,), owner="ord-ALICE")
    facts = OrderFacts("ord-ALICE", "2026-11-02T09:15:00+00:00", "gift", "Moby-Dick", "mailed")
    case = Case(
        "copy.pdf", "0" * 64, 10, "pdf", Trace((finding,), 4), MADE_AT, {"ord-ALICE": facts}, ""
    )
    text = words(render_report(case), tmp_path)
    assert "Verdict names order ord-ALICE, with a code this shop made for it" in text
    assert "Order named (none in the file)" in text
    assert "AUTHENTIC: this shop made the code; its code index names the order" in text
    assert "Code belongs to order ord-ALICE" in text and "Merchant gift" in text
