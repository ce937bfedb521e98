"""Offline customer lookup: a deterministic stand-in for the demo only.

Used when no PADDLE_API_KEY is set, so `make demo` runs without a Paddle
account. It invents a buyer from the customer id and warns once in the log
that real Billing orders would be stamped and mailed to a made-up address.
"""

from __future__ import annotations

import logging
import re
import threading

from common.messages import Buyer
from worker.customers._port import LookupUnavailable

_log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


class OfflineCustomers:
    def __init__(self) -> None:
        self._warned = False
        self._lock = threading.Lock()

    def lookup(self, customer_id: str) -> Buyer:
        self._warn_once()
        cleaned = customer_id.strip()[:64] or "customer"
        local = _UNSAFE.sub("-", cleaned.lower()).strip("-") or "customer"
        return Buyer(name=f"Demo Buyer ({cleaned})", email=f"demo+{local}@example.com")

    def _warn_once(self) -> None:
        with self._lock:
            if self._warned:
                return
            self._warned = True
        _log.warning(
            "customer lookup is the offline stand-in (no PADDLE_API_KEY): buyers are "
            "invented for the demo only; set PADDLE_API_KEY before selling"
        )


class MissingApiKey:
    """Outside the demo, a Billing order without PADDLE_API_KEY must not get an invented buyer.

    Every lookup fails as transient: the order is retried (and finally
    dead-lettered), and succeeds once the key is set and the worker redeployed.
    """

    def lookup(self, customer_id: str) -> Buyer:
        raise LookupUnavailable(
            "PADDLE_API_KEY is not set, so Paddle Billing buyers cannot be looked up"
        )
