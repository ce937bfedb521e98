"""The merchant port: what a storefront's webhook must offer to be sold through.

A merchant is one module in this folder, one setting (its secret) and one catalog
prefix. It names itself (the route `/webhooks/<name>` and the prefix of its
catalog ids), verifies a request before anything reads the body, and parses a
verified request into the contract's messages or `Ignored`. The route hands it a
`WebhookRequest` (headers and the raw bytes, never a Flask object) and maps its
errors to HTTP: SignatureError 401, EventError 400.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from common.merchants._events import Event


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook as it arrived: the raw body, its headers and, for form posts, its fields."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    form: Mapping[str, str] = field(default_factory=dict)  # the first value of each field
    now: float = 0.0  # when it arrived, for the signature's time window

    @classmethod
    def of(cls, body: bytes, headers: Iterable[tuple[str, str]], **rest: Any) -> WebhookRequest:
        """A request whose repeated headers count by their first value, as Werkzeug's get does."""
        first: dict[str, str] = {}
        for name, value in headers:
            first.setdefault(name.lower(), value)
        return cls(body, first, **rest)

    def header(self, name: str) -> str | None:
        """A header's value by its name in any case; None when it was not sent."""
        return self.headers.get(name.lower())


class Merchant(Protocol):
    """A storefront whose signed webhooks become our messages."""

    name: ClassVar[str]  # the route, /webhooks/<name>
    prefix: ClassVar[str]  # what its catalog ids start with: "paddle" for "paddle:pri_…"
    # The media types its route takes: the first is what its events are posted as; more
    # only where the platform also posts something else (WooCommerce's form-encoded ping).
    content_types: ClassVar[tuple[str, ...]]

    def verify(self, request: WebhookRequest) -> None:
        """Raise SignatureError unless the request provably comes from the merchant."""
        ...

    def parse(self, request: WebhookRequest) -> Event:
        """Read a verified request as a message or Ignored; EventError when it cannot."""
        ...

    def reply(self, request: WebhookRequest, event: Event, shop: str) -> str | None:
        """Plain text the merchant shows the buyer after a sale, where it shows our answer."""
        ...
