"""Stripe's API over HTTP, as the worker (line items) and the console (set-up) both call it.

The shared client (_http.py) carries the key as a Bearer token and retries a 429
(too many requests: back off and retry, docs.stripe.com/rate-limits), a 5xx, a
timeout or a refused connection, waiting for Retry-After when the answer carries
one. Stripe's errors read `{"error": {"code", "message", "type"}}`
(docs.stripe.com/api/errors). A list answers `{"object": "list", "data": [...],
"has_more", "url"}`; the next page starts after the last id (`starting_after`,
docs.stripe.com/api/pagination), at most 100 a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Unpack

import requests

from common.merchants._http import MerchantHttp, MerchantUnavailable, Patience


class StripeUnavailable(MerchantUnavailable):
    """Stripe could not be reached, or was still busy (429, 5xx) after every attempt."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(f"{reason} after {attempts} attempts", attempts)


class StripeHttp(MerchantHttp):
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        super().__init__(
            "Stripe",
            base_url,
            {"Authorization": f"Bearer {api_key}"},
            read_error=_error_text,
            unavailable=StripeUnavailable,
            **patience,
        )


def list_stripe_objects(
    fetch: Callable[[dict[str, str]], dict[str, Any]],
    params: Mapping[str, str],
    *,
    max_pages: int,
    too_long: Callable[[], Exception],
) -> Iterator[dict[str, Any]]:
    """Every object of a Stripe list, `fetch`ing page after page; too_long() past max_pages."""
    query = {"limit": "100", **params}
    for _ in range(max_pages):
        page = fetch(query)
        objects = [o for o in page.get("data") or [] if isinstance(o, dict)]
        yield from objects
        if page.get("has_more") is not True or not objects:
            return
        query["starting_after"] = str(objects[-1].get("id", ""))
    raise too_long()


def _error_text(response: requests.Response) -> str:
    """Stripe's error message (or the body), cut short; never the key."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text
    return str(message or "no details").strip()[:300]
