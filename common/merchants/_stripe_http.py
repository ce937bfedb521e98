"""Stripe's API over HTTP, as the worker (line items) and the console (set-up) both call it.

One session carries the key as a Bearer token and asks for JSON. A 429 (too many
requests: back off and retry, docs.stripe.com/rate-limits), a 5xx, a timeout or a
refused connection is retried with exponential backoff, waiting for Retry-After
when the answer carries one, capped. Any other answer is the caller's to read;
when every attempt was busy or unreachable, StripeUnavailable says which, never
with the key in it. Stripe's errors read `{"error": {"code", "message", "type"}}`
(docs.stripe.com/api/errors).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt


class StripeUnavailable(Exception):
    """Stripe could not be reached, or was still busy (429, 5xx) after every attempt."""


class _Busy(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class StripeHttp:
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
            {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        )

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Stripe's answer to `method url` (a full URL); StripeUnavailable if it never came."""
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
            raise StripeUnavailable(f"{exc} after {self._attempts} attempts") from None

    def _once(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        try:
            response = self._session.request(method, url, timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            raise _Busy(f"Stripe unreachable ({type(exc).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Busy(f"Stripe answered {response.status_code}", _retry_after(response))
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Busy) and exc.retry_after is not None:
            return min(exc.retry_after, self._max_wait)
        return min(self._backoff * 2.0 ** (state.attempt_number - 1), self._max_wait)


def stripe_error(response: requests.Response) -> str:
    """Stripe's error message (or the body), cut short; never the key."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text
    return str(message or "no details").strip()[:300]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
