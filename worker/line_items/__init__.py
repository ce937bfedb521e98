"""The line-items port: which products a sale bought, when its webhook does not say.

Stripe's checkout.session.completed carries no line items, so the worker lists
them by the sale's `lookup_ref` (the Checkout Session id) before it records the
order. The Stripe adapter (stripe_api.py) asks Stripe's API; the offline adapter
answers the embedded demo from a fixed table; MissingApiKey says, on every call,
that STRIPE_API_KEY is not set.
"""

from worker.line_items._offline import DEMO_SESSIONS, MissingApiKey, OfflineLineItems
from worker.line_items._port import (
    LineItems,
    LineItemsError,
    LineItemsNotFound,
    LineItemsUnavailable,
)

__all__ = [
    "DEMO_SESSIONS",
    "LineItems",
    "LineItemsError",
    "LineItemsNotFound",
    "LineItemsUnavailable",
    "MissingApiKey",
    "OfflineLineItems",
]
