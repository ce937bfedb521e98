"""Page geometry: where the footer goes on a page, as the reader sees the page.

A page shows its CropBox (or MediaBox) turned clockwise by /Rotate. The
footer is drawn in reader space (origin at the bottom-left corner of the page
as displayed, x to the right, y up) and one matrix per geometry maps reader
space into the page's own coordinates, so the text sits upright at the bottom
centre whatever the rotation or box origin.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

import pikepdf

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class Geometry:
    box: tuple[float, float, float, float]  # visible box, normalised: x0, y0, x1, y1
    rotate: int  # 0, 90, 180 or 270

    @property
    def reader_size(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        w, h = x1 - x0, y1 - y0
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def to_page(self) -> Matrix:
        """The matrix from reader space to page space."""
        x0, y0, x1, y1 = self.box
        return {
            0: (1, 0, 0, 1, x0, y0),
            90: (0, 1, -1, 0, x1, y0),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, -1, 1, 0, x0, y1),
        }[self.rotate]


def _rect(value: object) -> tuple[float, float, float, float] | None:
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    a, b, c, d = (float(v) for v in value)
    return min(a, c), min(b, d), max(a, c), max(b, d)


def page_geometry(page: pikepdf.Dictionary) -> Geometry:
    """The geometry of a page whose inherited attributes were pushed down (pikepdf does on open)."""
    media = _rect(page.get("/MediaBox")) or (0.0, 0.0, 612.0, 792.0)  # spec default: Letter
    crop = _rect(page.get("/CropBox")) or media
    box = (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )
    if box[0] >= box[2] or box[1] >= box[3]:
        box = media  # a CropBox outside the MediaBox: viewers fall back to the MediaBox
    value = page.get("/Rotate", 0)
    # A /Rotate that is no integer (a name, a string) is ignored, as pdf.js and poppler
    # ignore it; int() of a pikepdf name raises TypeError.
    rotate = int(value) % 360 if isinstance(value, int | float | decimal.Decimal) else 0
    return Geometry(box=box, rotate=rotate - rotate % 90)


def placement(geometry: Geometry, width: float, height: float, margin: float) -> Matrix:
    """Reader-space matrix putting a width x height footer at the bottom centre, shrunk to fit."""
    page_w, _ = geometry.reader_size
    scale = min(1.0, max(page_w - 2 * margin, 1.0) / width)
    return (scale, 0, 0, scale, (page_w - width * scale) / 2, margin)


def format_matrix(m: Matrix) -> str:
    return " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in m)
