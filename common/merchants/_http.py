"""A merchant's HTTP API as the worker and the console call it: retried while busy, errors read.

One session carries the merchant's headers (the key, a pinned API version) and asks
for JSON. 429 (too many requests), 5xx, timeouts and connection errors are retried
with exponential backoff; an answer with Retry-After waits that long instead, both
capped by `max_wait`, so one call has a bounded budget. Any other answer is the
caller's to read, with the merchant's own error reader (`error`) and `json_object`;
when every attempt was busy or unreachable, the merchant's MerchantUnavailable says
which, never with the key in it. _paddle_http.py and _stripe_http.py say what
differs: the headers, the error body, how the exception reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt


class Patience(TypedDict, total=False):
    """How long a call waits: per attempt, how many attempts, the backoff, its cap, the sleep."""

    timeout: float
    attempts: int
    backoff: float
    max_wait: float
    sleep: Callable[[float], None]


class MerchantUnavailable(Exception):
    """The merchant could not be reached, or was still busy (429, 5xx) after every attempt."""

    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.attempts = attempts


class MerchantAnswerError(ValueError):
    """The merchant answered, but not with a JSON object; the message says what it sent."""


class _Busy(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class MerchantHttp:
    def __init__(
        self,
        merchant: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        read_error: Callable[[requests.Response], str],
        unavailable: type[MerchantUnavailable] = MerchantUnavailable,
        **patience: Unpack[Patience],
    ) -> None:
        self.merchant, self.base = merchant, base_url.rstrip("/")
        self._read_error, self._unavailable = read_error, unavailable
        # A push's defaults: a short wait, since Pub/Sub redelivers what stays busy.
        self._timeout = patience.get("timeout", 5.0)
        self._attempts = patience.get("attempts", 3)
        self._backoff = patience.get("backoff", 0.5)
        self._max_wait = patience.get("max_wait", 10.0)
        self._sleep = patience.get("sleep", time.sleep)
        self._session = requests.Session()
        self._session.headers.update({**headers, "Accept": "application/json"})

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """The answer to `method url` (a full URL); the merchant's unavailable if it never came."""
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
            raise self._unavailable(str(exc), self._attempts) from None

    def error(self, response: requests.Response) -> str:
        """What the merchant's error body says, cut short; never the key."""
        return self._read_error(response)

    def json_object(self, response: requests.Response) -> dict[str, Any]:
        """The answer's JSON object; MerchantAnswerError if it is not JSON or not an object."""
        merchant, status = self.merchant, response.status_code
        try:
            body = response.json()
        except ValueError:
            raise MerchantAnswerError(f"{merchant} answered {status} without JSON") from None
        if not isinstance(body, dict):
            raise MerchantAnswerError(f"{merchant} answered with something other than an object")
        return body

    def _once(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        try:
            response = self._session.request(method, url, timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            raise _Busy(f"{self.merchant} unreachable ({type(exc).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Busy(f"{self.merchant} answered {response.status_code}", _retry_after(response))
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Busy) and exc.retry_after is not None:
            return min(exc.retry_after, self._max_wait)
        return min(self._backoff * 2.0 ** (state.attempt_number - 1), self._max_wait)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
