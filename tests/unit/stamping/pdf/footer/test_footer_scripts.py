"""Names in every script: each is drawn (no box), reads back, and leaves ink where it is.

Each name of demo/names.py is stamped alone (template "{name}") on a one-page A4 file whose own
text is one Helvetica word, so every other glyph on the page is the footer's.
Extractors order right-to-left text their own way, so for Hebrew, Arabic and
Urdu the text layer must hold the name's letters; for every other script it
must read back the name exactly (Indic clusters come back through ActualText).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pikepdf
import pymupdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.names import NAMES, RIGHT_TO_LEFT
from stamping.pdf import stamp_pdf
from stamping.pdf.footer import missing_glyphs, render_footer
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.conftest import needs
from tests.support import pdfs

NAME_ONLY = StampStyle(template="{name}", skip_pages=0, color="#000000", opacity=1.0)


def one_page() -> bytes:
    return pdfs.hand_written(1, parent_attrs="/MediaBox [0 0 595 842]", text_at=(100, 700))


def footer_glyphs(data: bytes) -> list[tuple[int, int]]:
    """(character, glyph id) of every glyph the footer draws, from MuPDF's text trace."""
    with pymupdf.open(stream=data) as doc:
        spans = [s for s in doc[0].get_texttrace() if s["font"] != "Helvetica"]
    return [(char[0], char[1]) for span in spans for char in span["chars"]]


def footer_bbox(data: bytes) -> tuple[float, float, float, float]:
    """The union of the footer's glyph boxes, top-left origin, in points."""
    with pymupdf.open(stream=data) as doc:
        spans = [s for s in doc[0].get_texttrace() if s["font"] != "Helvetica"]
    boxes = [s["bbox"] for s in spans]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def pdftotext(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
    return unicodedata.normalize("NFC", result.stdout.decode())


def tounicode_text(data: bytes) -> str:
    """The footer's text read through its fonts' ToUnicode maps alone (no ActualText)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return "".join(form_text(next(iter(pdf.pages[0].Resources.XObject.values()))))


def form_text(form: pikepdf.Object) -> list[str]:
    """The text of each glyph code a footer form shows, in drawing order, via ToUnicode."""
    maps = {str(n): bfchars(f.ToUnicode.read_bytes()) for n, f in form.Resources.Font.items()}
    found: list[str] = []
    font = maps[next(iter(maps))] if maps else {}
    for operands, operator in pikepdf.parse_content_stream(form):
        if operator == pikepdf.Operator("Tf"):
            font = maps[str(operands[0])]
        elif operator == pikepdf.Operator("TJ"):
            codes = b"".join(bytes(i) for i in operands[0] if isinstance(i, pikepdf.String))
            found += [
                font[int.from_bytes(codes[n : n + 2], "big")] for n in range(0, len(codes), 2)
            ]
    return found


def bfchars(cmap: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]*)>", cmap.split(b"endcodespacerange")[1])
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}


def stamped(name: str, style: StampStyle = NAME_ONLY) -> bytes:
    return stamp_pdf(
        one_page(), Stamp(name, "reader@example.com", "txn_01", "KQMV-2F9W-SZEY"), style
    )


@pytest.mark.parametrize("script", NAMES)
def test_every_name_is_drawable(script: str) -> None:
    assert missing_glyphs(NAMES[script]) == ""


@pytest.mark.parametrize("script", NAMES)
def test_no_box_is_drawn(script: str) -> None:
    glyphs = footer_glyphs(stamped(NAMES[script]))
    assert glyphs
    assert all(gid != 0 for _, gid in glyphs)


@needs("pdftotext")
@pytest.mark.parametrize("script", NAMES)
def test_the_text_layer_gives_the_name_back(script: str) -> None:
    name = NAMES[script]
    text = pdftotext(stamped(name))
    if script in RIGHT_TO_LEFT:
        assert set(name) - {" "} <= set(text)
    else:
        assert name in text


@pytest.mark.parametrize("script", NAMES)
def test_copying_through_tounicode_alone_gives_the_name_back(script: str) -> None:
    name = NAMES[script]
    text = tounicode_text(stamped(name))
    if script in RIGHT_TO_LEFT:  # drawn in visual order: the same letters
        assert sorted(text) == sorted(name)
    else:
        assert text == name


@needs("pdftoppm")
@pytest.mark.parametrize("script", NAMES)
def test_the_name_leaves_ink_where_it_is(script: str) -> None:
    data = stamped(NAMES[script])
    x0, y0, x1, y1 = footer_bbox(data)
    dpi = 144
    image = pdfs.render_gray(data, 1, dpi=dpi)
    assert image is not None
    scale = dpi / 72
    crop = image.crop((0, int(y0 * scale) - 2, image.width, int(y1 * scale) + 2))
    ink = pdfs.ink_box(crop)
    assert ink is not None
    # The ink spans most of the width the glyphs claim: no glyph is blank.
    assert ink[2] - ink[0] >= 0.8 * (x1 - x0) * scale


def test_a_mixed_line_uses_one_font_per_script() -> None:
    name = "Zoë 王小明 محمد राम"
    with pikepdf.open(io.BytesIO(stamped(name))) as pdf:
        form = next(iter(pdf.pages[0].Resources.XObject.values()))
        fonts = {str(font.BaseFont).split("+", 1)[1] for font in form.Resources.Font.values()}
    assert {"NotoSans-Regular", "NotoSansDevanagari-Regular", "NotoSansArabic-Regular"} <= fonts
    assert any(f.startswith("NotoSansCJK") for f in fonts)


def test_emoji_are_drawn_in_monochrome_or_left_out() -> None:
    name = "Ann 😀 Lee ❤️ 👍🏽 🇩🇪"
    glyphs = footer_glyphs(stamped(name))
    drawn = {chr(char) for char, _ in glyphs}
    assert all(gid != 0 for _, gid in glyphs)
    assert {"😀", "❤", "👍"} <= drawn  # DejaVu Sans and Noto Sans Symbols 2 have them
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, name, NAME_ONLY)
    assert set(footer.dropped) == {"🏽", "🇩", "🇪"}  # skin tone and flag: no monochrome glyph


def test_a_name_no_font_draws_still_stamps_email_order_and_code() -> None:
    name = "\U0001fae8\U0001fae9"  # emoji newer than every installed font
    assert missing_glyphs(name) == name
    data = stamped(name, StampStyle(skip_pages=0))
    assert all(gid != 0 for _, gid in footer_glyphs(data))
    with pymupdf.open(stream=data) as doc:
        text = doc[0].get_text()
    assert "(reader@example.com) · Order txn_01 · KQMV-2F9W-SZEY" in text
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, f"for {name} (x)", StampStyle())
    assert footer.dropped == name


@pytest.mark.parametrize(
    "text", ["Eve\r\nBcc: x@evil.example", "nul\x00here", "\x00", "", "   ", "lone \ud800 \ufffe"]
)
def test_control_and_odd_characters_do_not_break_the_footer(text: str) -> None:
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, text, StampStyle())
        assert footer.width > 0 and footer.height > 0
        assert b"\x00" not in footer.form.read_bytes()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_drawn_without_a_box_and_reads_back(text: str) -> None:
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, text, StampStyle(), page_width=595)
        drawn = form_text(footer.form)  # KeyError if a code had no ToUnicode entry
        content = footer.form.read_bytes()
    assert b"<0000>" not in content  # CID 0 is .notdef in every subset
    assert set("".join(drawn)) <= set(text) | {"…", " "}
