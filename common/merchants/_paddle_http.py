"""Paddle's API over HTTP, as the worker (customer lookups) and the console both call it.

One session carries the API key, asks for JSON and sends `Paddle-Version: 1`,
the version this code reads, so a new default version on the account cannot
change the answers under us (developer.paddle.com/api-reference/about/versioning).
429, 5xx, timeouts and connection errors are retried with exponential backoff;
a 429 waits for its Retry-After (developer.paddle.com/api-reference/about/rate-limiting),
capped. Any other answer is the caller's to read; when every attempt was busy
or unreachable, PaddleUnavailable says which, never with the key in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

PADDLE_VERSION = "1"


class PaddleUnavailable(Exception):
    """Paddle could not be reached, or was still busy (429, 5xx) after every attempt."""


class _Busy(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PaddleHttp:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float,
        attempts: int,
        backoff: float,
        max_wait: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = base_url.rstrip("/")
        self._timeout, self._attempts = timeout, attempts
        self._backoff, self._max_wait, self._sleep = backoff, max_wait, sleep
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "Paddle-Version": PADDLE_VERSION,
            }
        )

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Paddle's answer to `method url` (a full URL); PaddleUnavailable if it never came."""
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Busy),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._once, method, url, kwargs)
        except _Busy as exc:
            raise PaddleUnavailable(str(exc)) from None

    def _once(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        try:
            response = self._session.request(method, url, timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            raise _Busy(f"Paddle unreachable ({type(exc).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Busy(f"Paddle answered {response.status_code}", _retry_after(response))
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Busy) and exc.retry_after is not None:
            return min(exc.retry_after, self._max_wait)
        return min(self._backoff * 2.0 ** (state.attempt_number - 1), self._max_wait)


def paddle_error(response: requests.Response) -> tuple[str, str]:
    """The code and detail of Paddle's `{"error": {...}}` body, or "" for what it lacks."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("code") or ""), str(error.get("detail") or "")
    except (ValueError, AttributeError):
        return "", ""


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
