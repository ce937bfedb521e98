"""A small client of Stripe's API for the console: list with pagination, create.

A list answers `{"object": "list", "data": [...], "has_more", "url"}`; the next
page starts after the last id (`starting_after`, docs.stripe.com/api/pagination),
at most 100 a page. A create is a form-encoded POST (arrays as `name[]`) answering
the object. Errors come as `{"error": {"type", "code", "message"}}`
(docs.stripe.com/api/errors), turned into one StripeApiError sentence. Retries
and the key are common/merchants/_stripe_http.py's, as for the worker's lookups.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from common.merchants import StripeHttp, StripeUnavailable, stripe_error

_MAX_PAGES = 100


class StripeApiError(Exception):
    """Stripe refused the request or could not be reached; the message says which."""


class StripeApi:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 15.0,
        attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # An author at a terminal waits for a rate limit's Retry-After, up to half a minute.
        self._http = StripeHttp(
            api_key,
            base_url,
            timeout=timeout,
            attempts=attempts,
            backoff=1.0,
            max_wait=30.0,
            sleep=sleep,
        )

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every object of a list operation, page after page."""
        query: dict[str, str] = {"limit": "100", **(params or {})}
        for _ in range(_MAX_PAGES):
            body = self._request("GET", path, params=query)
            data = [d for d in body.get("data") or [] if isinstance(d, dict)]
            yield from data
            if body.get("has_more") is not True or not data:
                return
            query["starting_after"] = str(data[-1].get("id", ""))
        raise StripeApiError(f"Stripe's list {path} has more than {_MAX_PAGES} pages")

    def create(self, path: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """POST a form; the object Stripe made."""
        return self._request("POST", path, data=form)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, f"{self._http.base}{path}", **kwargs)
        except StripeUnavailable as exc:
            raise StripeApiError(f"{exc}; try again in a minute") from None
        if response.status_code >= 400:
            raise StripeApiError(
                f"Stripe refused {method} {path} ({response.status_code}): {stripe_error(response)}"
            )
        try:
            body = response.json()
        except ValueError:
            raise StripeApiError(f"Stripe answered {response.status_code} without JSON") from None
        if not isinstance(body, dict):
            raise StripeApiError("Stripe answered with something other than an object")
        return body
