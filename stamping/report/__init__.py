"""The evidence report an author attaches to a takedown notice: `render_report(case)` -> PDF.

A Case (what the file is, what trace found, what the shop's store says) goes
in, PDF bytes come out. `describe` gathers a Case from the file and its trace
(hash, size, format, pictures of the stamped pages, drawn by poppler where it
is installed); the caller adds its store's OrderFacts for `orders_to_look_up`
(the console's `trace --report`: console/files/_report.py). Nothing here reads
a store or a clock.
"""

from stamping.report._case import describe, orders_to_look_up
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
    "describe",
    "orders_to_look_up",
    "pages_to_show",
    "render_report",
    "stamped_pages",
    "thumbnails",
]
