"""What the engine stamps into a copy, and the errors every format's engine raises.

StampError: this book cannot be stamped (the author fixes the book). TraceError:
this file cannot be read at all (support looks at another file). FontMissing:
this machine lacks a font the stamp needs (a deploy fixes it, not the book).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stamp:
    """The buyer a copy belongs to: already normalised buyer data and the order's stamp code."""

    name: str
    email: str
    order_id: str
    code: str
    verify_url: str = ""  # the service's /verify?code=… link, shown on an EPUB's ex-libris page
    # The imprint the copy was sold under and its colour (#rrggbb), for an EPUB's ex-libris
    # page; "" leaves the page as a shop without imprints has it.
    seller: str = ""
    accent: str = ""


class StampError(Exception):
    """The original cannot be stamped, and retrying will not help; the message says why."""


class TraceError(Exception):
    """The file cannot be read as a book of any format the engine knows; the message says why."""


class FontMissing(RuntimeError):
    """The font the stamp needs is not installed: a deployment fault, not a bad book."""
