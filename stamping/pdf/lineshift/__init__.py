"""The line-shift mark: marked text lines of a few pages moved up or down by a fraction of a point.

Brassil, Low, Maxemchuk and O'Gorman, "Electronic marking and identification
techniques to discourage document copying" (IEEE JSAC 13(8), 1995), and Low
and Maxemchuk's "Performance comparison of two text marking methods" (IEEE
JSAC 16(4), 1998): a line moved by a fraction of a point is invisible to a
reader, yet its centroid, measured against the unmoved lines around it in a
scan and in the original, tells which way it moved. The mark lives in the
page body, so it survives what takes every other mark away: rasterising,
cropping the margins with the footer, JPEG, and printing and scanning.
Detection is informed: it needs the original book (trace --original).
"""

from stamping.pdf.lineshift._informed import FALSE_ALARM, Readings, named, read_moves
from stamping.pdf.lineshift._lines import CARRYING, SHIFT_PT, PageLines, carrying_pages, page_lines
from stamping.pdf.lineshift._moves import Move, Piece, move_stream, pattern, pieces

__all__ = [
    "CARRYING",
    "FALSE_ALARM",
    "SHIFT_PT",
    "Move",
    "PageLines",
    "Piece",
    "Readings",
    "carrying_pages",
    "move_stream",
    "named",
    "page_lines",
    "pattern",
    "pieces",
    "read_moves",
]
