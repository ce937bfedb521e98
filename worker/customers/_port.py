"""The customer-lookup port: who bought a Paddle Billing order.

Billing webhooks name a customer id but not the buyer's name or email. The
Paddle API adapter asks Paddle; the offline adapter answers for the demo
only, and says so in the log.
"""

from __future__ import annotations

from typing import Protocol

from common.messages import Buyer


class CustomerLookupError(Exception):
    """Base of lookup failures."""


class CustomerNotFound(CustomerLookupError):
    """Paddle has no such customer; retrying cannot fix it."""


class LookupUnavailable(CustomerLookupError):
    """Paddle did not answer in time or answered 5xx/429; a retry may succeed."""


class CustomerLookup(Protocol):
    def lookup(self, customer_id: str) -> Buyer:
        """Return the buyer's name and email, or raise a CustomerLookupError."""
        ...
