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

Retries are the shared merchant client's (common/merchants/_http.py), with a
terminal's patience (console/merchant_api.py): a 429 (300 calls a minute,
…/api/getting-started, "Rate limiting") waits for its Retry-After, capped at half a
minute. The docs name no header of the 429; Laravel's throttle, whose paginator
fields `meta.page` shows, sends Retry-After with every 429 beside X-RateLimit-Reset
(laravel/framework ThrottleRequests). 5xx, timeouts and refused connections back off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Unpack

import requests

from common.merchants import MerchantAnswerError, MerchantHttp, MerchantUnavailable, Patience
from console.merchant_api import AT_A_TERMINAL, MerchantApiError

JSON_API = "application/vnd.api+json"
_PAGE_SIZE = 100
_MAX_PAGES = 100


class LemonSqueezyApiError(MerchantApiError):
    """Lemon Squeezy refused the request or could not be reached; the message says which."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class LemonSqueezyApi:
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": JSON_API}
        self._http = MerchantHttp(
            "Lemon Squeezy", base_url, headers, read_error=_detail, **(AT_A_TERMINAL | patience)
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
        # The shared session asks for application/json; JSON:API wants its own media type.
        url, accept = f"{self._http.base}{path}", {"Accept": JSON_API}
        try:
            response = self._http.request(method, url, headers=accept, **kwargs)
        except MerchantUnavailable as exc:
            message = f"{exc} after {exc.attempts} attempts; try again in a minute"
            raise LemonSqueezyApiError(message) from None
        if response.status_code >= 400:
            raise LemonSqueezyApiError(_refusal(method, path, response), response.status_code)
        try:
            return self._http.json_object(response)
        except MerchantAnswerError as exc:
            raise LemonSqueezyApiError(str(exc)) from None


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
    title, detail = _title(response), _detail(response)
    title = title or response.reason or "error"
    return f"Lemon Squeezy refused {method} {path} ({response.status_code} {title}): {detail}"


def _first_error(response: requests.Response) -> dict[str, Any]:
    """The first object of a JSON:API `errors` array, or {}."""
    try:
        first = response.json()["errors"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    return first if isinstance(first, dict) else {}


def _title(response: requests.Response) -> str:
    return str(_first_error(response).get("title") or "")[:100]


def _detail(response: requests.Response) -> str:
    """The first error's detail, or the body, cut short; never the key."""
    detail = str(_first_error(response).get("detail") or "")
    return (detail or response.text.strip() or "no details")[:300]
