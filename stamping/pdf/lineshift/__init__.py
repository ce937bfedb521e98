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

Sources: Low and Maxemchuk 1998 (correlation vs centroid detection,
https://manuscript.isc.ac/Inventory/49/1366236.htm); Low, Lapone and
Maxemchuk, "Document marking and identification using both line and word
shifting" (a marked line always between two unmarked control lines, line
shifts read by the centroid method,
https://paperexplained.cn/articles/paper/detail/76a891b741c95331f1b91e610c8380eb9dee3fc4);
Low, Maxemchuk and Lapone, IEEE Trans. Commun. 46(3), 1998 (centroid
detection after printing, photocopying and scanning,
http://ieeexplore.ieee.org/xpl/articleDetails.jsp?arnumber=662643). See
docs/lineshift.md.
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
