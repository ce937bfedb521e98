"""A small client of Lemon Squeezy's API for the console: JSON:API reads, lists and a create.

Every request sends `Accept` and `Content-Type: application/vnd.api+json`, as
Lemon Squeezy requires of all requests (docs.lemonsqueezy.com/api/getting-started/requests),
with the key as a Bearer token. Lists are page-based: `page[size]` at most 100
(the official SDK's bound) and `page[number]` from 1 until `meta.page.lastPage`,
or, where a list says no last page, until `links.next` is gone (…/requests,
"Pagination"); the pages are asked for by number on API_URL, so the key never
follows a link to another host. A 4xx holds a JSON:API `errors` array with
`detail`, `status` and `title` (…/api/getting-started/responses), turned into one
LemonSqueezyApiError sentence; a 401 says the key is wrong.

Retries are the shared merchant client's: a 429 (300 calls a minute, …/api/getting-started,
"Rate limiting") waits for its Retry-After, capped at half a minute. The docs name
no header of the 429; Laravel's throttle, whose paginator fields `meta.page` shows,
sends Retry-After with every 429 beside X-RateLimit-Reset (laravel/framework
ThrottleRequests). 5xx, timeouts and refused connections back off. That
client is still common/merchants/_stripe_http.py's StripeHttp here, whose one
Stripe-specific trait is the name in its give-up message, renamed below; it moves
onto the generic merchant client once Paddle's and Stripe's are one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from common.merchants import StripeHttp, StripeUnavailable
from console.errors import ConsoleError

JSON_API = "application/vnd.api+json"
_HEADERS = {"Accept": JSON_API, "Content-Type": JSON_API}
_PAGE_SIZE = 100
_MAX_PAGES = 100


class LemonSqueezyApiError(ConsoleError):
    """Lemon Squeezy refused the request or could not be reached; the message says which."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class LemonSqueezyApi:
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

    def get(self, path: str) -> dict[str, Any]:
        """The whole JSON:API document at path (`data`, `meta`, …)."""
        return self._request("GET", path)

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every resource of a list, page after page."""
        query = {**(params or {}), "page[size]": str(_PAGE_SIZE)}
        for number in range(1, _MAX_PAGES + 1):
            body = self._request("GET", path, params={**query, "page[number]": str(number)})
            data = body.get("data")
            found = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
            yield from (r for r in found if isinstance(r, dict))
            if not found or _last_page(body, number):
                return
        raise LemonSqueezyApiError(f"Lemon Squeezy's list {path} has more than {_MAX_PAGES} pages")

    def create(
        self, kind: str, attributes: dict[str, Any], relationships: dict[str, Any]
    ) -> dict[str, Any]:
        """POST a new resource of this type to /v1/<type>; the resource Lemon Squeezy made."""
        document = {
            "data": {"type": kind, "attributes": attributes, "relationships": relationships}
        }
        body = self._request("POST", f"/v1/{kind}", data=json.dumps(document).encode())
        data = body.get("data")
        if not isinstance(data, dict):
            raise LemonSqueezyApiError(f"Lemon Squeezy answered POST /v1/{kind} without a resource")
        return data

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(
                method, f"{self._http.base}{path}", headers=_HEADERS, **kwargs
            )
        except (
            StripeUnavailable
        ) as exc:  # "Stripe answered 429 after 3 attempts": the client's name
            reason = str(exc).replace("Stripe", "Lemon Squeezy", 1)
            raise LemonSqueezyApiError(f"{reason}; try again in a minute") from None
        if response.status_code >= 400:
            raise LemonSqueezyApiError(_refusal(method, path, response), response.status_code)
        try:
            body = response.json()
        except ValueError:
            status = response.status_code
            raise LemonSqueezyApiError(f"Lemon Squeezy answered {status} without JSON") from None
        if not isinstance(body, dict):
            raise LemonSqueezyApiError("Lemon Squeezy answered with something other than an object")
        return body


def _last_page(body: dict[str, Any], number: int) -> bool:
    page = (body.get("meta") or {}).get("page") or {}
    last = page.get("lastPage") if isinstance(page, dict) else None
    if isinstance(last, int) and not isinstance(last, bool):
        return number >= last
    links = body.get("links")
    return not (isinstance(links, dict) and links.get("next"))


def _refusal(method: str, path: str, response: requests.Response) -> str:
    """One sentence: a wrong key said as such, anything else in Lemon Squeezy's own words."""
    if response.status_code == 401:
        return (
            "Lemon Squeezy refused the API key (401): LEMONSQUEEZY_API_KEY is wrong, revoked "
            "or expired (keys last a year); make one in Settings > API"
        )
    title, detail = _error(response)
    title = title or response.reason or "error"
    return f"Lemon Squeezy refused {method} {path} ({response.status_code} {title}): {detail}"


def _error(response: requests.Response) -> tuple[str, str]:
    """The first JSON:API error's title and detail, or the body cut short."""
    try:
        first = response.json()["errors"][0]
        title, detail = str(first.get("title") or ""), str(first.get("detail") or "")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        title, detail = "", ""
    return title[:100], (detail or response.text.strip() or "no details")[:300]
