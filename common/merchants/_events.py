"""What a verified Paddle notification means to us, shared by both verifiers.

billing.py and classic.py turn a request into one of these values or raise one
of these errors; the webhook route maps them to HTTP answers (401, 400, 200)
and never needs to know which Paddle product sent the notification.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.messages import (
    ItemsRefunded,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaymentRestored,
    PaymentRevoked,
)


class SignatureError(Exception):
    """The request is not provably from Paddle; `reason` says why, safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventError(ValueError):
    """The request is signed but is not a notification we can read (bad JSON, missing fields)."""


@dataclass(frozen=True)
class Ignored:
    """A genuine notification that asks nothing of us; the route logs it and answers 200."""

    event_type: str
    event_id: str
    note: str = ""  # why, when it is not just an event type we never act on


Event = (
    OrderPaid
    | OrderRevoked
    | ItemsRefunded
    | OrderRestored
    | PaymentRevoked
    | PaymentRestored
    | Ignored
)
