"""A small client of the Paddle Billing API for the console: list with pagination, create.

Paddle answers `{"data": …, "meta": …}`; a list's `meta.pagination` carries
`next` (a full URL with the `after` cursor, present even on the last page)
and `has_more`, so paging follows `next` while `has_more` is true. Errors come
as `{"error": {"type", "code", "detail", "documentation_url"}}`, turned into
one MerchantApiError sentence. Retries, the API version and the key are
common/merchants/_paddle_http.py's, as for the worker's lookups; the call is
console/merchant_api.py's, as for Stripe. The key goes only to PADDLE_API_URL:
a `next` URL on another host is refused rather than followed with the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, Unpack

import requests

from common.merchants import PaddleHttp, Patience, paddle_error
from console.merchant_api import AT_A_TERMINAL, MerchantApiError, call_json


class PaddleApi:
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        self._http = PaddleHttp(api_key, base_url, **(AT_A_TERMINAL | patience))
        self._base = self._http.base

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every entity of a list operation, page after page."""
        url: str | None = f"{self._base}{path}"
        query = params
        while url:
            body = self._request("GET", url, params=query)
            yield from body.get("data") or []
            pagination = (body.get("meta") or {}).get("pagination") or {}
            url = pagination.get("next") if pagination.get("has_more") else None
            query = None  # the next URL carries the original query and the cursor
            if url and not url.startswith(f"{self._base}/"):
                raise MerchantApiError(f"Paddle's next page is on another host: {url}")

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST an entity; the entity Paddle made."""
        data = self._request("POST", f"{self._base}{path}", json=body).get("data")
        if not isinstance(data, dict):
            raise MerchantApiError(f"Paddle answered POST {path} without an entity")
        return data

    def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return call_json(self._http, method, url, partial(_refusal, method, url), **kwargs)


def _refusal(method: str, url: str, response: requests.Response) -> str:
    """'Paddle refused GET /products (403 forbidden): You aren't permitted…'."""
    path = url.split("?", 1)[0].split("/", 3)[-1]
    code, detail = paddle_error(response)
    code = code or response.reason or "error"
    detail = detail or response.text.strip()[:200] or "no details"
    return f"Paddle refused {method} /{path} ({response.status_code} {code}): {detail}"
