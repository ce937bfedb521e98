"""What the engine stamps into a copy, and the one error it raises for a book it cannot stamp."""

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


class StampError(Exception):
    """The original cannot be stamped, and retrying will not help; the message says why."""
