"""Footer fonts: a lean start, fonts opened per script, safe on threads, deterministic objects."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
import pytest

from stamping.pdf import stamp_pdf
from stamping.pdf.footer import FontMissing, check_fonts, font_files, missing_glyphs, render_footer
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.conftest import ROOT
from tests.support import pdfs

STYLE = StampStyle()


def footer_bytes(text: str) -> bytes:
    """The footer's objects alone, written as a PDF with a content-derived /ID."""
    with pikepdf.new() as pdf:
        footer = render_footer(pdf, text, STYLE, page_width=595)
        pdf.Root.Footer = footer.form
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def test_the_start_up_check_finds_the_installed_base_font() -> None:
    check_fonts()
    assert font_files()["main"] is not None


def test_the_start_up_check_fails_without_a_base_font(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="fonts-noto-core"):
        check_fonts((tmp_path,))


def test_dejavu_alone_is_enough_to_stamp(tmp_path: Path) -> None:
    dejavu = font_files()["fallback"]
    assert dejavu is not None
    shutil.copy(dejavu, tmp_path / dejavu.name)
    check_fonts((tmp_path,))


def opened_after(code: str) -> list[str]:
    """The font files a fresh process has opened after running `code`."""
    opened = "from stamping.pdf.footer import _faces\nprint([r.file for r in _faces.opened()])"
    script = f"{code}\n{opened}"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = re.findall(r"'([^']+)'", result.stdout.strip().splitlines()[-1])
    return found


def test_the_start_up_check_opens_no_font() -> None:
    assert opened_after("from stamping.pdf.footer import check_fonts; check_fonts()") == []


@pytest.mark.parametrize(
    ("name", "fonts"),
    [
        ("Ada Lovelace", ["NotoSans-Regular.ttf"]),
        ("राम शर्मा", ["NotoSans-Regular.ttf", "NotoSansDevanagari-Regular.ttf"]),
    ],
)
def test_a_stamp_opens_only_the_fonts_its_scripts_need(name: str, fonts: list[str]) -> None:
    code = (
        "import pikepdf\n"
        "from stamping.pdf.footer import render_footer\n"
        "from stamping.style import StampStyle\n"
        f"render_footer(pikepdf.new(), 'Prepared for {name} (a@example.com)', StampStyle())"
    )
    assert opened_after(code) == fonts


def test_the_same_text_gives_the_same_objects() -> None:
    text = "Prepared exclusively for राम 王小明 محمد Zoë (a@example.com) · Order 1 · KQMV"
    assert footer_bytes(text) == footer_bytes(text)


def test_two_threads_stamp_what_one_thread_stamps() -> None:
    names = ["Ada", "राम शर्मा", "王小明", "محمد", "สมชาย", "김민준", "አበበ", "Ольга"] * 3
    texts = [f"for {name} (a@example.com)" for name in names]
    alone = [footer_bytes(t) for t in texts]
    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(footer_bytes, texts))
    assert together == alone


def test_missing_glyphs_names_what_no_font_draws() -> None:
    assert missing_glyphs("Zoë 王小明 محمد राम 😀") == ""
    assert missing_glyphs("Ann \U0001fae8 \u0378") == "\u0378\U0001fae8"


def test_each_copy_embeds_only_the_glyphs_it_draws() -> None:
    source = pdfs.hand_written(1, parent_attrs="/MediaBox [0 0 595 842]")
    out = stamp_pdf(source, Stamp("Ada", "a@example.com", "o1", "KQMV"), StampStyle(skip_pages=0))
    with pikepdf.open(io.BytesIO(out)) as pdf:
        form = next(iter(pdf.pages[0].Resources.XObject.values()))
        (font,) = form.Resources.Font.values()
        descendant = font.DescendantFonts[0]
        program = descendant.FontDescriptor.FontFile2.read_bytes()
        widths = descendant.W[1]
    line = "Prepared exclusively for Ada (a@example.com) · Order o1 · KQMV"
    assert len(widths) == len(set(line)) + 1  # .notdef and each distinct character
    assert len(program) < 12_000  # Noto Sans itself is 580 kB
