"""Paddle Billing customer lookup: the cloud adapter of the customer-lookup port.

Billing webhooks name a customer id; GET {PADDLE_API_URL}/customers/{id}
answers {"data": {"id", "name", "email", ...}} (name may be null). Every
request sends `Paddle-Version: 1`, the version this code reads, as Paddle's
versioning guide asks, so a new default version on the account cannot change
the answers under us. Needs an API key with customer read permission. 429
(honouring Retry-After), 5xx, timeouts and connection errors are retried with
backoff, then the lookup fails as LookupUnavailable so the push handler
answers 5xx and Pub/Sub redelivers; 404 is CustomerNotFound, which no retry can fix.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from common.contract import Buyer, ContractError
from worker.customers import CustomerNotFound, LookupUnavailable

PADDLE_VERSION = "1"  # developer.paddle.com/api-reference/about/versioning


class _TryAgain(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PaddleCustomers:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout: float = 5,
        attempts: int = 3,
        *,
        backoff: float = 0.5,
        max_wait: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._max_wait = max_wait
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "Paddle-Version": PADDLE_VERSION,
            }
        )

    def lookup(self, customer_id: str) -> Buyer:
        url = f"{self._base}/customers/{quote(customer_id, safe='')}"
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_TryAgain),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            response = retrying(self._get, url)
        except _TryAgain as exc:
            raise LookupUnavailable(f"customer {customer_id}: {exc}") from None
        if response.status_code == 404:
            raise CustomerNotFound(f"Paddle has no customer {customer_id}")
        if response.status_code != 200:
            raise LookupUnavailable(
                f"customer {customer_id}: Paddle answered {response.status_code}: "
                f"{_error_detail(response)}"
            )
        return _buyer(customer_id, response)

    def _get(self, url: str) -> requests.Response:
        try:
            response = self._session.get(url, timeout=self._timeout)
        except requests.RequestException as exc:
            raise _TryAgain(f"Paddle unreachable ({type(exc).__name__})") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _TryAgain(f"Paddle answered {response.status_code}", _retry_after(response))
        return response

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _TryAgain) and exc.retry_after is not None:
            return min(exc.retry_after, self._max_wait)
        return min(self._backoff * 2 ** (state.attempt_number - 1), self._max_wait)


def _buyer(customer_id: str, response: requests.Response) -> Buyer:
    try:
        data = response.json()["data"]
        email = str(data["email"]).strip()
    except (ValueError, KeyError, TypeError):
        raise LookupUnavailable(f"customer {customer_id}: unexpected answer from Paddle") from None
    name = str(data.get("name") or "").strip() or email.split("@", 1)[0]
    try:
        return Buyer(name=name, email=email)  # normalised by the contract, as Classic buyers are
    except ContractError as exc:
        raise LookupUnavailable(f"customer {customer_id}: Paddle gave no usable email") from exc


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _error_detail(response: requests.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return str(error.get("detail") or error.get("code") or "no details")[:300]
    except (ValueError, AttributeError):
        return response.text[:300] or "no details"
