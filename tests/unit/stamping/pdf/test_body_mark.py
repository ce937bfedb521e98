"""The body mark: invisible, outside the footer, somewhere else for every buyer and page size."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
from PIL import ImageChops

from stamping.pdf import stamp_pdf
from stamping.pdf._geometry import Geometry
from stamping.pdf.lineshift import carrying_pages
from stamping.pdf.marks import body_mark, read_body_text
from stamping.pdf.marks._body_mark import mark_text, position
from stamping.pdf.trace._page_text import page_runs
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.conftest import needs
from tests.support import pdfs

ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_01hx", "KQMV-2F9W-SZEY")
BOB = Stamp("Bob Byte", "bob@example.com", "txn_02bb", "7K3M-Q9TX-2B4F")
A4 = Geometry(box=(0, 0, 595.28, 841.89), rotate=0)


def invisible_runs(data: bytes, page: int) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [r.text for r in page_runs(pdf.pages[page - 1]) if r.invisible]


def test_every_stamped_page_carries_it_invisibly() -> None:
    copy = stamp_pdf(pdfs.book(5), ADA)
    assert invisible_runs(copy, 1) == []  # the cover is not stamped
    for page in range(2, 6):
        assert invisible_runs(copy, page) == ["KQMV-2F9W-SZEY txn_01hx"]


def test_it_reads_back_and_refuses_anything_else() -> None:
    assert read_body_text("KQMV-2F9W-SZEY txn_01hx") == ("KQMV-2F9W-SZEY", "txn_01hx")
    assert read_body_text("KQMV-2F9W-SZEY") == ("KQMV-2F9W-SZEY", None)
    assert read_body_text("scanned words of an OCR layer") is None


def test_an_order_id_winansi_cannot_carry_is_left_out() -> None:
    assert mark_text("KQMV-2F9W-SZEY", "заказ-1") == "KQMV-2F9W-SZEY"
    assert mark_text("KQMV-2F9W-SZEY", "a b") == "KQMV-2F9W-SZEY"


def test_brackets_in_an_order_id_cannot_break_the_content_stream() -> None:
    drawn = body_mark(A4, "KQMV-2F9W-SZEY", "o)Tj(x\\", "/FXm")
    assert b"(KQMV-2F9W-SZEY o\\)Tj\\(x\\\\) Tj" in drawn
    assert drawn.startswith(b"/Artifact BMC q") and drawn.endswith(b"EMC\n")


def test_the_spot_differs_between_buyers_and_page_sizes() -> None:
    letter = Geometry(box=(0, 0, 612, 792), rotate=0)
    spots = {
        position(A4, ADA.code, 24),
        position(A4, BOB.code, 24),
        position(letter, ADA.code, 24),
    }
    assert len(spots) == 3
    for x, y in spots:
        assert 0 < x < 612 - 24 * 6 * 0.6 and 792 * 0.29 < y < 842 * 0.71  # in the page body


def test_a_tiny_page_keeps_it_on_the_page() -> None:
    x, y = position(Geometry(box=(0, 0, 60, 80), rotate=0), ADA.code, 24)
    assert 0 <= x <= 15 and 24 <= y <= 56


def test_the_font_name_avoids_the_pages_own_fonts() -> None:
    original = pdfs.hand_written(2).replace(b"/F1 4 0 R", b"/FXm 4 0 R").replace(b"/F1 ", b"/FXm ")
    copy = stamp_pdf(original, ADA, StampStyle(skip_pages=0))
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        fonts = pdf.pages[0].Resources.Font
        assert fonts.FXm.BaseFont == "/Helvetica" and fonts.FXm1.BaseFont == "/Helvetica"
    assert invisible_runs(copy, 1) == ["KQMV-2F9W-SZEY txn_01hx"]


@needs("pdftoppm")
def test_the_page_looks_the_same_outside_the_footer_band(tmp_path: Path) -> None:
    """Rendered by poppler at 100 dpi: not one pixel above the footer band changes, but for
    the marked lines of the pages carrying the line-shift mark (stamping/pdf/lineshift)."""
    original = pdfs.book(4, images=True)
    copy = stamp_pdf(original, ADA)
    with pikepdf.open(io.BytesIO(original)) as pdf:
        carrying = {n + 1: lines for n, lines in carrying_pages(pdf).items()}
    assert set(carrying) == {3, 4}
    for page in (2, 3, 4):
        before, after = pdfs.render_gray(original, page, 100), pdfs.render_gray(copy, page, 100)
        assert before is not None and after is not None
        band = round((StampStyle().margin + 20) * 100 / 72)  # margin plus the footer's line
        body = (0, 0, before.size[0], before.size[1] - band)
        changed = ImageChops.difference(before.crop(body), after.crop(body))
        if page not in carrying:
            assert changed.getbbox() is None
            continue
        marked = [carrying[page].lines[i] for i in carrying[page].marked]
        for row in range(changed.height):
            if changed.crop((0, row, changed.width, row + 1)).getbbox() is not None:
                y = before.size[1] * 72 / 100 - (row + 0.5) * 72 / 100  # the row's height, in pt
                assert any(line.y - 0.4 * line.size <= y <= line.y + line.size for line in marked)
    (tmp_path / "copy.pdf").write_bytes(copy)
    text = subprocess.run(
        ["pdftotext", "-f", "3", "-l", "3", str(tmp_path / "copy.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "KQMV-2F9W-SZEY txn_01hx" in text  # poppler reads the invisible text as text
