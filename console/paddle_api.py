"""A small client of the Paddle Billing API for the console: list with pagination, create.

Paddle answers `{"data": …, "meta": …}`; a list's `meta.pagination` carries
`next` (a full URL with the `after` cursor, present even on the last page)
and `has_more`, so paging follows `next` while `has_more` is true. Errors come
as `{"error": {"type", "code", "detail", "documentation_url"}}`, turned into
one PaddleApiError sentence. Retries, the API version and the key are
common/paddle_http.py's, as for the worker's lookups. The key goes only to
PADDLE_API_URL: a `next` URL on another host is refused rather than followed
with the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from common.merchants import PaddleHttp, PaddleUnavailable, paddle_error


class PaddleApiError(Exception):
    """Paddle refused the request or could not be reached; the message says which."""


class PaddleApi:
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
        self._http = PaddleHttp(
            api_key,
            base_url,
            timeout=timeout,
            attempts=attempts,
            backoff=1.0,
            max_wait=30.0,
            sleep=sleep,
        )
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
                raise PaddleApiError(f"Paddle's next page is on another host: {url}")

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST an entity; the entity Paddle made."""
        data = self._request("POST", f"{self._base}{path}", json=body).get("data")
        if not isinstance(data, dict):
            raise PaddleApiError(f"Paddle answered POST {path} without an entity")
        return data

    def _request(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, url, **kwargs)
        except PaddleUnavailable as exc:
            raise PaddleApiError(f"{exc}; try again in a minute") from None
        if response.status_code >= 400:
            raise PaddleApiError(_error_text(method, url, response))
        return _json(response)


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise PaddleApiError(f"Paddle answered {response.status_code} without JSON") from None
    if not isinstance(body, dict):
        raise PaddleApiError("Paddle answered with something other than an object")
    return body


def _error_text(method: str, url: str, response: requests.Response) -> str:
    """'Paddle refused GET /products (403 forbidden): You aren't permitted…'."""
    path = url.split("?", 1)[0].split("/", 3)[-1]
    code, detail = paddle_error(response)
    code = code or response.reason or "error"
    detail = detail or response.text.strip()[:200] or "no details"
    return f"Paddle refused {method} /{path} ({response.status_code} {code}): {detail}"
