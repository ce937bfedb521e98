"""The visible footer: the stamp text drawn once, as a Form XObject a page can show.

reportlab lays the text out on a tiny page exactly as wide as the text, with
the fonts embedded as subsets (with ToUnicode maps, so the name can be
searched and copied). That page becomes one Form XObject that every stamped
page reuses; each page geometry only adds a small placement matrix.

The source document must stay open until the target is saved, because qpdf
copies foreign stream data lazily: `Footer.source` keeps it.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import pikepdf
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from stamping.pdf.fonts import MAIN_FONT, font_runs, visual_text
from stamping.style import StampStyle

# reportlab keeps per-document subset state inside the shared TTFont objects; the worker
# may stamp on a few threads, so footers are drawn one at a time (a few milliseconds each).
_REPORTLAB = threading.Lock()


@dataclass(frozen=True)
class Footer:
    form: pikepdf.Object  # the Form XObject, already copied into the target document
    width: float
    height: float
    source: pikepdf.Pdf


def render_footer(target: pikepdf.Pdf, text: str, style: StampStyle) -> Footer:
    """Draw the text as a Form XObject owned by `target`; its origin is the bottom-left corner."""
    with _REPORTLAB:
        pdf_bytes, width, height = _draw(text, style)
    source = pikepdf.open(io.BytesIO(pdf_bytes))
    form = target.copy_foreign(source.pages[0].as_form_xobject())
    return Footer(form=form, width=width, height=height, source=source)


def _draw(text: str, style: StampStyle) -> tuple[bytes, float, float]:
    """A one-page PDF exactly the size of the footer line, and that size."""
    runs = font_runs(visual_text(text))
    size = style.font_size
    width = sum(pdfmetrics.stringWidth(chunk, font, size) for font, chunk in runs) or 1.0
    ascent, descent = pdfmetrics.getAscentDescent(MAIN_FONT, size)
    height = ascent - descent
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    canvas.setFillColor(HexColor(style.color), alpha=style.opacity)
    line = canvas.beginText(0, -descent)
    for font, chunk in runs:
        line.setFont(font, size)
        line.textOut(chunk)
    canvas.drawText(line)
    canvas.showPage()
    canvas.save()
    return buf.getvalue(), width, height
