"""What an evidence report states: the file, what trace found, what the shop's store says.

Plain values, gathered by whoever makes the report (the console's `trace
--report`, the dashboard) and handed to `render_report`, which only draws
them. Everything that came from the file (order ids, entry names, the file's
own name) is the leaker's text: the report quotes and cuts it (trace.shown).
The store's facts never include the buyer's name or address: the report is
meant to be sent to a platform, and the order id is enough for the author to
find the buyer in their own records. (The pictures of stamped pages show the
footer as the leaked file itself shows it to anyone who opens it.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from stamping.trace import Trace


@dataclass(frozen=True)
class OrderFacts:
    """The shop's record of an order, as far as a report shows it."""

    order_id: str
    ordered_at: str  # ISO 8601, as the record holds it
    merchant: str  # who sold it: "paddle", "stripe", … or "gift"
    title: str  # the book as the order names it
    status: str  # paid, refunded, revoked, …


@dataclass(frozen=True)
class Thumbnail:
    """A page of the file carrying the visible stamp, drawn as a PNG (pdftoppm's grey)."""

    page: int  # 1-based
    png: bytes
    band: float  # how much of the picture's height, from the bottom, holds the footer


@dataclass(frozen=True)
class Case:
    """Everything the report states about one file."""

    file_name: str  # the file's own name: the leaker's text too
    sha256: str
    size: int
    format: str  # "pdf" or "epub" (stamping.formats' names)
    trace: Trace
    made_at: datetime  # aware, UTC
    # The orders the shop's store was read for (by order id); empty when it was not read.
    orders: Mapping[str, OrderFacts] = field(default_factory=dict)
    # Why the store was not consulted, or "" when it was.
    store_unread: str = "this report was made without the shop's order store"
    thumbnails: tuple[Thumbnail, ...] = ()
    thumbnails_note: str = ""  # why there are none, or fewer than the stamped pages
    notes: tuple[str, ...] = ()  # what trace noted (pages without text, OCR, the code index)
