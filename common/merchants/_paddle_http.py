"""Paddle's API over HTTP, as the worker (customer lookups) and the console both call it.

The shared client (_http.py) carries the API key and `Paddle-Version: 1`, the
version this code reads, so a new default version on the account cannot change
the answers under us (developer.paddle.com/api-reference/about/versioning); it
retries 429 (honouring Retry-After, developer.paddle.com/api-reference/about/rate-limiting),
5xx, timeouts and connection errors. Paddle's errors read `{"error": {"type",
"code", "detail", "documentation_url"}}`.
"""

from __future__ import annotations

from typing import Unpack

import requests

from common.merchants._http import MerchantHttp, MerchantUnavailable, Patience

PADDLE_VERSION = "1"


class PaddleUnavailable(MerchantUnavailable):
    """Paddle could not be reached, or was still busy (429, 5xx) after every attempt."""


class PaddleHttp(MerchantHttp):
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        super().__init__(
            "Paddle",
            base_url,
            {"Authorization": f"Bearer {api_key}", "Paddle-Version": PADDLE_VERSION},
            read_error=_error_text,
            unavailable=PaddleUnavailable,
            **patience,
        )


def paddle_error(response: requests.Response) -> tuple[str, str]:
    """The code and detail of Paddle's `{"error": {...}}` body, or "" for what it lacks."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("code") or ""), str(error.get("detail") or "")
    except (ValueError, AttributeError):
        return "", ""


def _error_text(response: requests.Response) -> str:
    code, detail = paddle_error(response)
    return (detail or code or response.text or "no details")[:300]
