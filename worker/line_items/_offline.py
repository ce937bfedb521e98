"""Offline line items: a fixed table for the embedded demo, and the refusal outside it.

Without STRIPE_API_KEY the embedded stack answers from DEMO_SESSIONS, so a demo
sale of that session delivers without a Stripe account; any other session is
unavailable (retried), with a warning that names the missing key. Outside the
embedded stack, MissingApiKey refuses every lookup the same way: a real Stripe
sale waits (and is finally dead-lettered, to be replayed) rather than being
guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from worker.line_items._port import LineItemsUnavailable

_log = logging.getLogger(__name__)

# A demo Checkout Session and what it bought; a catalog product lists the price to sell it.
DEMO_SESSIONS: Mapping[str, tuple[str, ...]] = {
    "cs_test_exlibris_demo": ("stripe:price_exlibris_demo", "stripe:prod_exlibris_demo"),
}
_NO_KEY = "STRIPE_API_KEY is not set, so Stripe Checkout line items cannot be listed"


class OfflineLineItems:
    def __init__(self, table: Mapping[str, tuple[str, ...]] = DEMO_SESSIONS) -> None:
        self._table = dict(table)

    def lookup(self, merchant: str, ref: str) -> tuple[str, ...]:
        # The demo names each session <demo session>_<random>, so every run is a new order.
        known = (ids for key, ids in self._table.items() if ref == key or ref.startswith(f"{key}_"))
        found = next(known, None) if merchant == "stripe" else None
        if found is None:
            _log.warning("%s (the offline table knows only the demo sessions)", _NO_KEY)
            raise LineItemsUnavailable(f"{merchant} sale {ref}: {_NO_KEY}")
        return found


class MissingApiKey:
    """Outside the demo, a Stripe sale without STRIPE_API_KEY waits for the key to be set."""

    def lookup(self, merchant: str, ref: str) -> tuple[str, ...]:
        _log.error(
            "%s: set it (a restricted key with Checkout Sessions read) and redeploy", _NO_KEY
        )
        raise LineItemsUnavailable(f"{merchant} sale {ref}: {_NO_KEY}")
