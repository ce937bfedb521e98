"""Footer layout: names up to 100 characters in full, longer ones cut, never below 6 pt."""

from __future__ import annotations

import unicodedata

import pikepdf
import pymupdf
import pytest

from stamping.pdf import stamp_pdf
from stamping.pdf._geometry import Geometry, placement
from stamping.pdf.footer import render_footer
from stamping.pdf.footer._lines import ELLIPSIS, MIN_SIZE, NAME_LIMIT, fit_lines, name_span
from stamping.stamp import Stamp
from stamping.style import DEFAULT_TEMPLATE, StampStyle
from tests.support import pdfs

STYLE = StampStyle(skip_pages=0)
IBERIAN = "María de los Ángeles Fernández de Córdoba y Figueroa de la Cerda"  # 64 characters


def page(width: float, height: float = 842) -> bytes:
    return pdfs.hand_written(1, parent_attrs=f"/MediaBox [0 0 {width} {height}]", text_at=(10, 300))


def buyer(name: str) -> Stamp:
    return Stamp(name, "reader@example.com", "txn_01", "KQMV-2F9W-SZEY")


def line_for(name: str, style: StampStyle) -> str:
    """The footer text the stamper makes for this buyer (the template, filled)."""
    return style.template.format(
        name=name, email="reader@example.com", order="txn_01", code="KQMV-2F9W-SZEY"
    )


def footer_spans(data: bytes) -> list[dict]:
    with pymupdf.open(stream=data) as doc:
        return [s for s in doc[0].get_texttrace() if s["font"] != "Helvetica"]


def page_text(data: bytes) -> str:
    with pymupdf.open(stream=data) as doc:
        return " ".join(doc[0].get_text().split())


def drawn_size(page_width: float, name: str, style: StampStyle = STYLE) -> tuple[float, int]:
    """The size a reader sees the footer at on such a page, and its number of lines."""
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, line_for(name, style), style, page_width=page_width)
    geometry = Geometry(box=(0, 0, page_width, 842), rotate=0)
    scale = placement(geometry, footer.width, footer.height, style.margin)[0]
    return footer.font_size * scale, footer.lines


def test_a_name_of_a_hundred_characters_is_drawn_in_full() -> None:
    name = (IBERIAN + " Álvarez de Toledo y Pimentel de Quiñones y Osorio")[:NAME_LIMIT]
    assert len(name) == NAME_LIMIT
    text = page_text(stamp_pdf(page(595), buyer(name), STYLE))
    assert name in text
    assert ELLIPSIS not in text


def test_a_longer_name_is_cut_with_an_ellipsis_and_the_rest_is_kept() -> None:
    name = IBERIAN + " " + IBERIAN
    text = page_text(stamp_pdf(page(595), buyer(name), STYLE))
    assert name[:90] in text and name not in text
    assert ELLIPSIS + " (reader@example.com) · Order txn_01 · KQMV-2F9W-SZEY" in text


def test_ten_thousand_characters_stamp_legibly() -> None:
    name = "Bartholomew " * 833 + "Jr"
    out = stamp_pdf(pdfs.book(4), buyer(name))
    with pymupdf.open(stream=out) as doc:
        spans = [s for s in doc[3].get_texttrace() if s["font"].startswith("Noto")]
        text = " ".join(doc[3].get_text().split())
    assert spans and min(s["size"] for s in spans) >= MIN_SIZE - 0.01
    assert ELLIPSIS in text and "(reader@example.com) · Order txn_01 · KQMV-2F9W-SZEY" in text


def test_a_line_too_long_for_the_page_wraps_at_full_size() -> None:
    data = stamp_pdf(page(380), buyer(IBERIAN), STYLE)
    spans = footer_spans(data)
    baselines = {round(char[2][1]) for span in spans for char in span["chars"]}
    assert len(baselines) == 2
    assert {round(s["size"], 1) for s in spans} == {STYLE.font_size}
    assert IBERIAN in page_text(data)


@pytest.mark.parametrize("width", [595, 420, 300, 200])
@pytest.mark.parametrize(
    "name",
    [
        "Ada Lovelace",
        IBERIAN,
        "x" * 10_000,
        "王" * 150,
        " ".join(["Rāmachandra"] * 900),
        "राम शर्मा " * 30,
    ],
    ids=["short", "iberian", "one-word", "cjk", "many-words", "devanagari"],
)
def test_the_footer_is_never_drawn_below_six_points(width: float, name: str) -> None:
    size, lines = drawn_size(width, name)
    assert size >= MIN_SIZE - 1e-6
    assert lines <= 2


def test_a_catalog_size_below_six_points_is_raised_to_six() -> None:
    size, _ = drawn_size(595, "Ada", StampStyle(font_size=4))
    assert size == MIN_SIZE


def test_the_name_is_found_through_the_template() -> None:
    text = line_for("Eve (x) · Order 9", StampStyle())
    start, end = name_span(text, DEFAULT_TEMPLATE) or (0, 0)
    assert text[start:end] == "Eve (x) · Order 9"
    assert name_span("Licensed to Bo <b@x.y>", "Licensed to {name} <{email}>") == (12, 14)
    assert name_span("Order 7", "Order {order}") is None
    assert name_span("x", "unbalanced {") is None


def test_a_template_without_the_name_is_cut_at_its_end() -> None:
    style = StampStyle(template="{email} {order}", skip_pages=0)
    fitted = fit_lines("a@example.com " + "9" * 5000, style, 300)
    assert fitted.lines[-1].text.endswith(ELLIPSIS)


def test_a_cut_keeps_every_mark_with_its_letter() -> None:
    name = "e\u0301" * 60  # 120 characters, decomposed: é
    text = f"for {name} (x)"
    fitted = fit_lines(text, StampStyle(template="for {name} (x)"), 595)
    drawn = "".join(line.text for line in fitted.lines)
    kept = drawn[len("for ") : drawn.index(ELLIPSIS)]
    assert kept and len(kept) % 2 == 0 and unicodedata.category(kept[0]) == "Ll"
