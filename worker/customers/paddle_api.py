"""Paddle Billing customer lookup: the cloud adapter of the customer-lookup port.

Billing webhooks name a customer id; GET {PADDLE_API_URL}/customers/{id}
answers {"data": {"id", "name", "email", ...}} (name may be null). Needs an
API key with customer read permission. common/merchants/_paddle_http.py sends the API
version and retries 429 (honouring Retry-After), 5xx, timeouts and connection
errors; then the lookup fails as LookupUnavailable so the push handler answers
5xx and Pub/Sub redelivers. 404 is CustomerNotFound, which no retry can fix.
"""

from __future__ import annotations

from typing import Unpack
from urllib.parse import quote

import requests

from common.merchants import PaddleHttp, PaddleUnavailable, Patience
from common.messages import Buyer, ContractError
from worker.customers._port import CustomerNotFound, LookupUnavailable


class PaddleCustomers:
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        self._http = PaddleHttp(api_key, base_url, **patience)  # a push's patience: the default

    def lookup(self, customer_id: str) -> Buyer:
        url = f"{self._http.base}/customers/{quote(customer_id, safe='')}"
        try:
            response = self._http.request("GET", url)
        except PaddleUnavailable as exc:
            raise LookupUnavailable(f"customer {customer_id}: {exc}") from None
        if response.status_code == 404:
            raise CustomerNotFound(f"Paddle has no customer {customer_id}")
        if response.status_code != 200:
            raise LookupUnavailable(
                f"customer {customer_id}: Paddle answered {response.status_code}: "
                f"{self._http.error(response)}"
            )
        return _buyer(customer_id, response)


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
