"""Fonts for the visible stamp: where they live, which one draws each character, RTL shaping.

Buyers' names come in every script, and the standard PDF fonts only know
Latin-1, which is how peers end up printing boxes. We embed DejaVu Sans (Latin,
Greek, Cyrillic, Arabic, Hebrew) as a subset and fall back, character by
character, to WenQuanYi Micro Hei for Chinese, Japanese and Korean. Both come
from Debian packages (fonts-dejavu-core, fonts-wqy-microhei); the Dockerfile
installs them.
Arabic is reshaped into its joined presentation forms and the line is put in
visual order, because a PDF shows glyphs in the order they are drawn.

Fonts are registered with reportlab once per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

MAIN_FONT = "ExLibrisSans"
CJK_FONT = "ExLibrisCJK"
_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
_MAIN_FILES = ("DejaVuSans.ttf",)
# TrueType outlines only: reportlab cannot embed the CFF outlines of Noto CJK. WenQuanYi
# Micro Hei covers Han, kana and all of Hangul (Droid Sans Fallback lacks most Hangul).
_CJK_FILES = ("wqy-microhei.ttc", "DroidSansFallbackFull.ttf")


class FontMissing(RuntimeError):
    """The Unicode font the stamp needs is not installed: a deployment fault, not a bad book."""


def find_font(names: tuple[str, ...]) -> Path | None:
    """The first installed font file with one of these names, searched in the usual folders."""
    for name in names:
        for folder in _FONT_DIRS:
            found = next(iter(sorted(folder.rglob(name))), None) if folder.is_dir() else None
            if found is not None:
                return found
    return None


def font_files() -> dict[str, Path | None]:
    """The font files the stamp would use, by role; None where none is installed."""
    return {"main": find_font(_MAIN_FILES), "cjk": find_font(_CJK_FILES)}


@lru_cache(maxsize=1)
def stamp_fonts() -> tuple[str, ...]:
    """Register the stamp fonts with reportlab; return their names, preferred first."""
    files = font_files()
    main, cjk = files["main"], files["cjk"]
    if main is None:
        raise FontMissing(
            "DejaVu Sans is not installed; install the Debian package fonts-dejavu-core"
        )
    pdfmetrics.registerFont(TTFont(MAIN_FONT, str(main)))
    names = [MAIN_FONT]
    if cjk is not None:
        pdfmetrics.registerFont(TTFont(CJK_FONT, str(cjk), subfontIndex=0))
        names.append(CJK_FONT)
    return tuple(names)


@lru_cache(maxsize=1)
def _reshaper() -> ArabicReshaper:
    """A reshaper that only forms the ligatures our main font has glyphs for (not Allah's)."""
    face = pdfmetrics.getFont(stamp_fonts()[0]).face
    config = {
        name: all(ord(form) in face.charToGlyph for form in forms if form)
        for name, (_, forms) in LIGATURES
    }
    return ArabicReshaper(configuration=config)


def visual_text(text: str) -> str:
    """Join Arabic letters and put right-to-left runs in the order they are drawn."""
    if any("\u0600" <= ch <= "\u08ff" for ch in text):
        text = _reshaper().reshape(text)
    shown: str = get_display(text)
    return shown


def _covers(font: str, ch: str) -> bool:
    face = pdfmetrics.getFont(font).face
    return ord(ch) in face.charToGlyph


def font_runs(text: str) -> list[tuple[str, str]]:
    """Split visual-order text into (font, chunk) runs; each char goes to the first font with it."""
    fonts = stamp_fonts()
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = next((f for f in fonts if _covers(f, ch)), fonts[0])
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def missing_glyphs(text: str) -> str:
    """Characters of the text that no installed stamp font can draw (they would show as boxes)."""
    fonts = stamp_fonts()
    return "".join(sorted({ch for ch in text if not any(_covers(f, ch) for f in fonts)}))
