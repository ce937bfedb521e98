"""The evidence report an author attaches to a takedown notice: `render_report(case)` -> PDF.

A Case (what the file is, what trace found, what the shop's store says) goes
in, PDF bytes come out; `thumbnails` draws the pages carrying the visible
stamp with poppler where it is installed. The console's `trace --report` and
the dashboard gather the Case; nothing here reads a store or a clock.
"""

from stamping.report._facts import Case, OrderFacts, Thumbnail
from stamping.report._layout import BadPicture
from stamping.report._report import MAX_THUMBNAILS, pages_to_show, render_report, stamped_pages
from stamping.report._thumbnails import thumbnails

__all__ = [
    "MAX_THUMBNAILS",
    "BadPicture",
    "Case",
    "OrderFacts",
    "Thumbnail",
    "pages_to_show",
    "render_report",
    "stamped_pages",
    "thumbnails",
]
