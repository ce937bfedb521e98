"""Stamping: original PDF bytes and a buyer in, that buyer's personal copy out.

One copy is a plan made and used once (stamping/pdf/plan.py): the footer is
drawn once as a Form XObject, every page that shares a geometry shares one
small placement stream, and the page's own content is wrapped in q/Q so
whatever state it leaves behind cannot move the footer. Nothing else in the
document is rewritten, so outline, links, named destinations, labels, forms,
tags and metadata pass through untouched. Many copies of one book: prepare
the plan once and call `Plan.copy` per buyer.
"""

from __future__ import annotations

from stamping.pdf.plan import prepare_plan
from stamping.stamp import Stamp
from stamping.style import StampStyle


def stamp_pdf(original: bytes, stamp: Stamp, style: StampStyle = StampStyle()) -> bytes:  # noqa: B008 - frozen
    """Return the personal copy of `original` for `stamp`."""
    return prepare_plan(original, style).copy(stamp)
