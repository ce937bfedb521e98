"""Shaped glyphs as PDF text operators: one text object per line, placed as HarfBuzz says.

Each glyph is a two-byte CID shown with TJ. A TJ number moves the pen by the
difference between HarfBuzz's advance (kerning, zero-width marks) and the
width the font declares in /W, and by the glyph's horizontal offset; a
vertical offset (a stacked Thai or Vietnamese mark) is a text rise (Ts).
A cluster drawn with several glyphs (an Indic conjunct, a reordered vowel
sign) is wrapped in a marked-content span with /ActualText, which poppler
and MuPDF read instead of the glyphs; readers that ignore it still get the
cluster's text from its first glyph's ToUnicode entry (the others map to
nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stamping.pdf.footer._faces import Font

Resource = tuple[str, dict[int, int]]  # the font's resource name, glyph id -> CID


@dataclass(frozen=True)
class Placed:
    font: Font
    variant: int  # which of the font's Type0 variants (ToUnicode maps) draws it
    gid: int
    text: str  # "" for the second and later glyphs of a cluster
    rtl: bool
    advance: int
    dx: int
    dy: int


def text_object(
    glyphs: Sequence[Placed],
    resources: Mapping[tuple[Font, int], Resource],
    size: float,
    origin: tuple[float, float],
) -> str:
    """BT … ET drawing the glyphs from `origin` (the start of the baseline)."""
    writer = _Writer(size, origin)
    for group in _groups(glyphs):
        spanned = any(not g.text or g.dx or g.dy for g in group)
        if spanned:
            writer.begin_span("".join(g.text for g in group))
        for glyph in group:
            writer.show(glyph, resources[glyph.font, glyph.variant])
        if spanned:
            writer.end_span()
    return writer.finish()


def _groups(glyphs: Sequence[Placed]) -> list[Sequence[Placed]]:
    """Words of left-to-right text, clusters of right-to-left text, spaces on their own."""
    groups, start = [], 0
    for index in range(1, len(glyphs) + 1):
        if index == len(glyphs) or _breaks(glyphs[index - 1], glyphs[index]):
            groups.append(glyphs[start:index])
            start = index
    return groups


def _breaks(before: Placed, glyph: Placed) -> bool:
    if glyph.rtl or before.rtl:
        return bool(glyph.text)
    return glyph.text.isspace() or before.text.isspace()


class _Writer:
    def __init__(self, size: float, origin: tuple[float, float]) -> None:
        self.size = size
        self.ops = ["BT", f"{num(origin[0])} {num(origin[1])} Td"]
        self.array: list[str] = []
        self.font: str | None = None
        self.rise = 0.0
        self.pending = 0.0  # thousandths of an em to move right before the next glyph

    def show(self, glyph: Placed, resource: Resource) -> None:
        name, cids = resource
        scale = 1000 / glyph.font.upem
        rise = glyph.dy / glyph.font.upem * self.size
        if name != self.font or rise != self.rise:
            self.flush()
            if name != self.font:
                self.ops.append(f"{name} {num(self.size)} Tf")
                self.font = name
            if rise != self.rise:
                self.ops.append(f"{num(rise)} Ts")
                self.rise = rise
        self.pending += glyph.dx * scale
        if abs(self.pending) >= 0.0005:
            self.array.append(num(-self.pending))
        self.array.append(f"<{cids[glyph.gid]:04X}>")
        width = round(glyph.font.hb_font.get_glyph_h_advance(glyph.gid) * scale)  # as in /W
        self.pending = (glyph.advance - glyph.dx) * scale - width

    def begin_span(self, text: str) -> None:
        self.flush()
        self.ops.append(f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC")

    def end_span(self) -> None:
        self.flush()
        self.ops.append("EMC")

    def flush(self) -> None:
        if self.array:
            self.ops.append(f"[{' '.join(self.array)}] TJ")
            self.array.clear()

    def finish(self) -> str:
        self.flush()
        self.ops += ["0 Ts", "ET"] if self.rise else ["ET"]
        return "\n".join(self.ops)


def num(value: float) -> str:
    """A PDF number: at most three decimals, no trailing zeros, no negative zero."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
