"""The visible footer: text laid out in lines, shaped with HarfBuzz, drawn as a Form XObject
with subset Type0 fonts that a text extractor reads back as the same text.
"""

from stamping.pdf.footer._fonts import check_fonts, font_files, missing_glyphs
from stamping.pdf.footer._form import Footer, render_footer
from stamping.stamp import FontMissing

__all__ = [
    "FontMissing",
    "Footer",
    "check_fonts",
    "font_files",
    "missing_glyphs",
    "render_footer",
]
