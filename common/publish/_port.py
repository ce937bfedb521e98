"""The publish port: hand a verified message to the worker side.

Two adapters: Pub/Sub (cloud) and a local push publisher that POSTs the same
push envelope to the worker (embedded). Either raises PublishError when the
message could not be accepted, so the webhook answers 503 and Paddle retries.
"""

from __future__ import annotations

from typing import Protocol

from common.messages import Message


class PublishError(Exception):
    """The message was not accepted for delivery; the caller should ask for a retry."""


class Publisher(Protocol):
    def publish(self, message: Message) -> str:
        """Accept the message for at-least-once delivery and return its message id."""
        ...
