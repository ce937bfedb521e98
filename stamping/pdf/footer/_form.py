"""The visible footer: the stamp text drawn once, as a Form XObject a page can show.

The text is fitted into one or two lines (footer_lines.py), shaped with
HarfBuzz (shaping.py) and written as glyph runs by hand: each glyph is a
two-byte CID of a Type0 font (cidfont.py), placed by HarfBuzz's advances and
offsets with TJ adjustments and text rise. The form owns everything it needs
(fonts, opacity) in its own /Resources and nothing else in the document is
touched, so the form and its fonts are the per-buyer objects of a copy; the
same text gives the same objects. Characters no installed font draws are
left out and listed in `Footer.dropped` for the caller's log.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import pikepdf

from stamping.pdf._geometry import page_geometry
from stamping.pdf.footer._cidfont import GlyphUses, embed
from stamping.pdf.footer._faces import Font
from stamping.pdf.footer._fonts import base_font
from stamping.pdf.footer._glyph_text import Placed, Resource, num, text_object
from stamping.pdf.footer._lines import Fitted, fit_lines
from stamping.pdf.footer._shaping import Line
from stamping.style import StampStyle

DEFAULT_PAGE_WIDTH = 432.0  # 6 in, a trade paperback: when the document has no page to measure
Name = pikepdf.Name
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")  # CR, LF, NUL: Unicode Cc


@dataclass(frozen=True)
class Footer:
    form: pikepdf.Object  # the Form XObject (indirect), owned by the target document
    width: float  # its /BBox is [0 0 width height], in points at font_size
    height: float
    dropped: str  # characters of the text no installed font draws, left out (for the log)
    lines: int  # 1, or 2 when the text did not fit the narrowest page on one line
    font_size: float  # as drawn in the form; the placement may scale it down, never below 6 pt


def render_footer(
    target: pikepdf.Pdf, text: str, style: StampStyle, *, page_width: float | None = None
) -> Footer:
    """Draw the text as a Form XObject owned by `target`; its origin is the bottom-left corner.

    `page_width` is the narrowest page the footer goes on (reader space); by
    default the narrowest stamped page of `target`."""
    width = page_width if page_width is not None else narrowest_page(target, style)
    text = text.translate(_CONTROLS)
    fitted = fit_lines(text, style, width)
    drawing = _Drawing(fitted)
    content, fonts = drawing.content(target, style)
    resources = pikepdf.Dictionary(Font=fonts)
    if style.opacity < 1:
        alpha = pikepdf.Dictionary(Type=Name.ExtGState, ca=style.opacity, CA=style.opacity)
        resources.ExtGState = pikepdf.Dictionary(GS0=alpha)
    form = target.make_stream(
        zlib.compress(content, 6),
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=pikepdf.Array([0, 0, drawing.width, drawing.height]),
        Resources=resources,
        Filter=Name.FlateDecode,
    )
    dropped = "".join(dict.fromkeys("".join(line.dropped for line in fitted.lines)))
    return Footer(form, drawing.width, drawing.height, dropped, len(fitted.lines), fitted.size)


def narrowest_page(pdf: pikepdf.Pdf, style: StampStyle) -> float:
    """The narrowest reader-space width among the pages the footer goes on."""
    first = min(style.skip_pages, len(pdf.pages) - 1)  # the last page when all are skipped
    widths = [  # iterated: indexing or slicing a PageList costs far more
        page_geometry(page.obj).reader_size[0] for n, page in enumerate(pdf.pages) if n >= first
    ]
    return min(widths, default=DEFAULT_PAGE_WIDTH)


class _Drawing:
    """The lines of one footer laid out: line boxes bottom-up, then the content stream."""

    def __init__(self, fitted: Fitted) -> None:
        self.fitted = fitted
        size = fitted.size
        self.boxes = [_extent(line, size) for line in fitted.lines]
        self.width = max(1.0, *(line.width(size) for line in fitted.lines))
        self.height = sum(ascent - descent for ascent, descent in self.boxes)

    def content(self, target: pikepdf.Pdf, style: StampStyle) -> tuple[bytes, pikepdf.Dictionary]:
        uses: dict[Font, GlyphUses] = {}
        placed = [self._plan_line(line, uses) for line in self.fitted.lines]
        embedded = [embed(target, u) for u in uses.values()]
        fonts = pikepdf.Dictionary()
        names: dict[tuple[Font, int], Resource] = {}
        for number, (key, result) in enumerate(zip(uses, embedded, strict=True)):
            for variant, obj in enumerate(result.fonts):
                name = f"/F{number}" + (f"v{variant}" if variant else "")
                fonts[name] = obj
                names[key, variant] = (name, result.new_gid)
        # The form inherits the text state where it is drawn: set every part it relies on.
        ops = ["q", _fill(style.color), "0 Tc 0 Tw 100 Tz 0 Ts 0 Tr"]
        ops += ["/GS0 gs"] if style.opacity < 1 else []
        top = self.height
        for line, glyphs, (ascent, descent) in zip(
            self.fitted.lines, placed, self.boxes, strict=True
        ):
            top -= ascent - descent
            x = (self.width - line.width(self.fitted.size)) / 2
            ops.append(text_object(glyphs, names, self.fitted.size, (x, top - descent)))
        ops.append("Q")
        return "\n".join(ops).encode(), fonts

    @staticmethod
    def _plan_line(line: Line, uses: dict[Font, GlyphUses]) -> list[Placed]:
        placed = []
        for run in line.runs:
            glyph_uses = uses.setdefault(run.font, GlyphUses(run.font))
            for g in run.glyphs:
                variant = glyph_uses.use(g.gid, g.text)
                placed.append(
                    Placed(run.font, variant, g.gid, g.text, run.rtl, g.advance, g.dx, g.dy)
                )
        return placed


def _extent(line: Line, size: float) -> tuple[float, float]:
    """Ascent and descent (negative) of a line: the tallest of the fonts it uses."""
    fonts = [run.font for run in line.runs] or [base_font()]
    extents = [(f.hb_font.get_font_extents("ltr"), f.upem) for f in fonts]
    ascent = max(e.ascender / upem for e, upem in extents) * size
    descent = min(e.descender / upem for e, upem in extents) * size
    return ascent, descent


def _fill(color: str) -> str:
    """The fill operator for a catalog colour (#rrggbb, which the catalog checks)."""
    return " ".join(num(v / 255) for v in bytes.fromhex(color.lstrip("#"))) + " rg"
