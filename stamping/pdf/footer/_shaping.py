"""One line of stamp text as shaped glyph runs, in the order they are drawn.

The line is cut into items of one font, one script and one embedding level
(fonts.py picks the font, direction.py the level); HarfBuzz shapes each item
in its direction, which forms Indic conjuncts, Thai and Vietnamese mark
stacks, Arabic joining and Hangul syllables, and the items are then put in
visual order. Each glyph keeps the characters it stands for: the first glyph
of a HarfBuzz cluster carries the whole cluster's text, the others none, so
the text layer gives the name back in logical order. Characters no installed
font draws are left out and reported, never drawn as a box (glyph 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import uharfbuzz as hb

from stamping.pdf.footer._direction import embedding_levels, visual_order
from stamping.pdf.footer._faces import Font
from stamping.pdf.footer._fonts import assign_fonts, char_script, ignorable


@dataclass(frozen=True)
class Glyph:
    gid: int
    text: str  # the characters it stands for ("" after the first glyph of a cluster)
    advance: int  # font units, from HarfBuzz (kerning and marks included)
    dx: int = 0
    dy: int = 0


@dataclass(frozen=True)
class Run:
    font: Font
    glyphs: tuple[Glyph, ...]
    rtl: bool = False

    @property
    def em(self) -> float:
        return sum(g.advance for g in self.glyphs) / self.font.upem


@dataclass(frozen=True)
class Line:
    text: str
    runs: tuple[Run, ...]  # visual order
    dropped: str = ""  # characters left out, in text order
    char_em: tuple[float, ...] = field(default=(), repr=False)  # advance per character

    def width(self, size: float) -> float:
        return sum(run.em for run in self.runs) * size


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    font: Font
    level: int
    script: str


def shape_line(text: str) -> Line:
    """Shape one line of text with the fonts that draw it."""
    fonts = assign_fonts(text)
    levels = embedding_levels(text)
    dropped = [ch for ch, f in zip(text, fonts, strict=True) if f is None and not ignorable(ch)]
    items = _items(text, fonts, levels)
    char_em = [0.0] * len(text)
    shaped = [_shape(text, item, char_em, dropped) for item in items]
    runs = [run for run in visual_order(shaped, [i.level for i in items]) if run.glyphs]
    return Line(text, tuple(runs), "".join(dropped), tuple(char_em))


def _items(text: str, fonts: list[Font | None], levels: list[int]) -> list[_Item]:
    """Maximal stretches of one font, level and script; common characters join their run."""
    items: list[_Item] = []
    script = "Zyyy"
    for index, (font, level) in enumerate(zip(fonts, levels, strict=True)):
        own = char_script(text[index])
        script = script if own in ("Zyyy", "Zinh") else own
        if font is None:
            continue
        last = items[-1] if items else None
        if last is not None and _continues(last, index, font, level, script):
            items[-1] = _Item(last.start, index + 1, font, level, script)
        else:
            items.append(_Item(index, index + 1, font, level, script))
    return items


def _continues(last: _Item, index: int, font: Font, level: int, script: str) -> bool:
    same_place = last.end == index and last.font is font and last.level == level
    return same_place and last.script in (script, "Zyyy")


def _shape(text: str, item: _Item, char_em: list[float], dropped: list[str]) -> Run:
    segment = text[item.start : item.end]
    buf = hb.Buffer()
    buf.add_codepoints([ord(ch) for ch in segment])
    buf.guess_segment_properties()
    buf.direction = "rtl" if item.level % 2 else "ltr"
    if item.script != "Zyyy":
        buf.script = item.script
    if item.font.ref.file.startswith("NotoNastaliq"):
        buf.language = "ur"  # Urdu forms of the Nastaliq font
    buf.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    hb.shape(item.font.hb_font, buf, {})
    infos, positions = buf.glyph_infos, buf.glyph_positions
    if not infos:  # only invisible characters (a soft hyphen, a joiner)
        return Run(item.font, ())
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(segment)], strict=True))
    broken = {info.cluster for info in infos if info.codepoint == 0}
    glyphs: list[Glyph] = []
    seen: set[int] = set()
    for info, pos in zip(infos, positions, strict=True):
        cluster = info.cluster
        chars = segment[cluster : ends[cluster]]
        if cluster in broken:  # a box would be drawn: leave the cluster out instead
            if cluster not in seen:
                dropped.extend(ch for ch in chars if not ignorable(ch))
            seen.add(cluster)
            continue
        char_em[item.start + cluster] += pos.x_advance / item.font.upem
        text_of = "" if cluster in seen else chars
        seen.add(cluster)
        glyphs.append(Glyph(info.codepoint, text_of, pos.x_advance, pos.x_offset, pos.y_offset))
    return Run(item.font, tuple(glyphs), rtl=item.level % 2 == 1)
