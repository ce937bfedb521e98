"""The line-items port: a merchant reference in, the merchant-qualified product ids out."""

from __future__ import annotations

from typing import Protocol


class LineItemsError(Exception):
    """Base of line-item lookup failures."""


class LineItemsUnavailable(LineItemsError):
    """The merchant did not answer, was busy, or refused our key: a retry may succeed."""


class LineItemsNotFound(LineItemsError):
    """The merchant has no such sale (or cannot list it): retrying cannot fix it."""


class LineItems(Protocol):
    def lookup(self, merchant: str, ref: str) -> tuple[str, ...]:
        """The qualified product ids ("stripe:price_…", "stripe:prod_…") the sale bought."""
        ...
