"""Which font draws each character of the stamp: Noto for its script, then fallbacks.

Buyers' names come in every script. Debian's Noto families have one file per
script (fonts-noto-core: `NotoSans<Script>-Regular.ttf`, TrueType outlines)
and one collection for Chinese, Japanese and Korean (fonts-noto-cjk: CFF
outlines, one face per language, picked from the kana or Hangul in the line).
Urdu is drawn in Nastaliq, as Urdu readers expect, when the name has letters
only Urdu uses; other Arabic-script names in Noto Sans Arabic. DejaVu Sans
(which has monochrome emoticons), the Noto symbol fonts and WenQuanYi Micro
Hei are fallbacks, so a character no font draws is left out rather than shown
as a box. Files are opened only when a character needs them (faces.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.unicodedata import script as unicode_script
from fontTools.unicodedata import script_name

from stamping.pdf.footer._faces import FONT_DIRS, FaceRef, Font, find_font, load
from stamping.stamp import FontMissing

BASE_FILES = ("NotoSans-Regular.ttf", "DejaVuSans.ttf")  # the template, email, order, code
CJK_FILE = "NotoSansCJK-Regular.ttc"
_FALLBACKS = (
    "NotoSansSymbols2-Regular.ttf",
    "NotoSansSymbols-Regular.ttf",
    "DejaVuSans.ttf",
    "NotoSansMath-Regular.ttf",
)
_CJK_FALLBACKS = ("wqy-microhei.ttc", "DroidSansFallbackFull.ttf")
_CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
_CJK_FAMILIES = {"ja": "Noto Sans CJK JP", "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK SC"}
_SCRIPT_FILES = {
    "Arab": ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf"),
    "Thai": ("NotoSansThai-Regular.ttf", "NotoLoopedThai-Regular.ttf"),
}
_URDU_LETTERS = frozenset("ٹڈڑںھہۂۃےۓ")  # letters of Urdu that Arabic and Persian lack
_NASTALIQ = "NotoNastaliqUrdu-Regular.ttf"


@dataclass(frozen=True)
class Context:
    """What the whole line says about its languages, where a script alone cannot tell."""

    cjk: str = "zh"  # ja when the line has kana, ko when it has Hangul
    urdu: bool = False


def font_files() -> dict[str, Path | None]:
    """The font files the stamp relies on, by role; None where none is installed."""
    return {
        "main": find_font(BASE_FILES),
        "cjk": find_font((CJK_FILE, *_CJK_FALLBACKS)),
        "fallback": find_font(("DejaVuSans.ttf",)),
    }


def check_fonts(folders: tuple[Path, ...] = FONT_DIRS) -> None:
    """Cheap start-up check that the base font exists (no font is opened); FontMissing if not."""
    if find_font(BASE_FILES, folders) is None:
        raise FontMissing(
            "Noto Sans is not installed; install the Debian package fonts-noto-core "
            "(or DejaVu Sans, fonts-dejavu-core)"
        )


def base_font() -> Font:
    """The font that draws the template, the email, the order and the code."""
    check_fonts()
    font = next((f for f in map(load, map(FaceRef, BASE_FILES)) if f is not None), None)
    if font is None:
        raise FontMissing("the base font is installed but cannot be opened")
    return font


def context_of(text: str) -> Context:
    scripts = {char_script(ch) for ch in text if ord(ch) >= 0x0600}
    cjk = "ja" if scripts & {"Hira", "Kana"} else "ko" if "Hang" in scripts else "zh"
    return Context(cjk=cjk, urdu=any(ch in _URDU_LETTERS for ch in text))


@lru_cache(maxsize=512)
def candidates(script: str, context: Context) -> tuple[FaceRef, ...]:
    """The faces that may draw a character of this script, best first."""
    cjk = FaceRef(CJK_FILE, _CJK_FAMILIES[context.cjk])
    if script in _CJK_SCRIPTS:
        own: tuple[FaceRef, ...] = (cjk, *map(FaceRef, _CJK_FALLBACKS))
    elif script in ("Latn", "Grek", "Cyrl", "Zyyy", "Zinh", "Zzzz"):
        own = ()
    else:
        name = "".join(script_name(script, default="").replace("_", " ").split())
        files = _SCRIPT_FILES.get(script, (f"NotoSans{name}-Regular.ttf",))
        if script == "Arab" and context.urdu:
            files = (_NASTALIQ, *files)
        own = tuple(map(FaceRef, (*files, f"NotoSerif{name}-Regular.ttf")))
    rest = (*BASE_FILES, *_FALLBACKS)
    return (*own, *map(FaceRef, rest), cjk, *map(FaceRef, _CJK_FALLBACKS))


@lru_cache(maxsize=8192)
def first_covering(ch: str, script: str, context: Context) -> Font | None:
    """The first installed candidate face that has a glyph for the character."""
    for ref in candidates(script, context):
        font = load(ref)
        if font is not None and font.covers(ch):
            return font
    return None


@lru_cache(maxsize=8192)
def char_script(ch: str) -> str:
    """The character's Unicode script code (Latn, Deva, Zyyy for common, Zinh for marks…)."""
    return str(unicode_script(ch))


@lru_cache(maxsize=8192)
def ignorable(ch: str) -> bool:
    """Joiners, variation selectors and other invisible format characters."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "Cf"
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or cp == 0x034F
    )


def assign_fonts(text: str) -> list[Font | None]:
    """The font for each character of the text; None where no installed font draws it.

    Letters go to the font of their script. Marks and joiners stay with the
    character before them. Spaces, digits and punctuation (script Common) stay
    in the font of the letters around them, so a name is not split by them;
    between two fonts they go to the base font's side, so the template's
    spaces and brackets look the same whatever the name's script."""
    context = context_of(text)
    scripts = [char_script(ch) for ch in text]
    letters = [
        None if script in ("Zyyy", "Zinh") or ignorable(ch) else first_covering(ch, script, context)
        for ch, script in zip(text, scripts, strict=True)
    ]
    after = _next_letter_fonts(letters, scripts)
    base = base_font()
    fonts: list[Font | None] = []
    before: Font | None = None  # the font of the last letter so far
    for index, (ch, script) in enumerate(zip(text, scripts, strict=True)):
        if script == "Zinh" or ignorable(ch):
            font = fonts[-1] if fonts else base
        elif script == "Zyyy":
            font = _common_font(ch, before, after[index], base, context)
        else:
            font = letters[index]
            before = font or before
        fonts.append(font)
    return fonts


def _next_letter_fonts(letters: list[Font | None], scripts: list[str]) -> list[Font | None]:
    """For each position, the font of the next letter after it (None at the end)."""
    found: list[Font | None] = [None] * len(letters)
    upcoming: Font | None = None
    for index in range(len(letters) - 1, -1, -1):
        found[index] = upcoming
        if scripts[index] not in ("Zyyy", "Zinh") and letters[index] is not None:
            upcoming = letters[index]
    return found


def _common_font(
    ch: str, before: Font | None, after: Font | None, base: Font, context: Context
) -> Font | None:
    """A space, digit or punctuation mark: the font of its neighbours where it has it."""
    inside = after is None or after is before
    preferred = before if inside or base not in (before, after) else base
    if preferred is not None and preferred.covers(ch):
        return preferred
    return first_covering(ch, "Zyyy", context)


def missing_glyphs(text: str) -> str:
    """Characters of the text that no installed stamp font can draw (they are left out)."""
    base_font()
    missing = {ch for ch, f in zip(text, assign_fonts(text), strict=True) if f is None}
    return "".join(sorted(ch for ch in missing if not ignorable(ch)))
