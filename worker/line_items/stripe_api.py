"""Stripe Checkout line items: the cloud adapter of the line-items port.

`GET {STRIPE_API_URL}/v1/checkout/sessions/{id}/line_items?limit=100` with the
key as a Bearer token ("List a Checkout Session's line items",
docs.stripe.com/api/checkout/sessions/line_items) answers a list object
`{"object": "list", "data": [item…], "has_more", "url"}`; `limit` is 1 to 100, and
while `has_more` is true the next page starts after the last item's id
(`starting_after`, docs.stripe.com/api/pagination). Each item's `price.id` is a
catalog id `stripe:<price id>`, and so is its product, `price.product`: an id, or
the Product object when the caller expanded it (docs.stripe.com/api/expanding_objects).

A 429 ("too many requests", docs.stripe.com/rate-limits: back off and retry), a 5xx,
a timeout or a refused connection is retried a few times, waiting for Retry-After
when the answer has one (capped), else backing off exponentially
(common/merchants/_stripe_http.py, as the console's calls); then the lookup is
LineItemsUnavailable, the push answers 5xx and Pub/Sub redelivers later. 404 is
LineItemsNotFound (Stripe's `resource_missing`: no such session on this account or
in this mode), as is any other 4xx but 401/403, which mean the key is wrong and are
retried once the key is fixed. Needs a restricted key with Checkout Sessions read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from common.merchants import StripeHttp, StripeUnavailable, stripe_error
from worker.line_items._port import LineItemsNotFound, LineItemsUnavailable

PAGE = 100  # Stripe's maximum `limit`
MAX_PAGES = 50  # 5,000 lines: far beyond any book order, and a bound on a looping cursor


class StripeLineItems:
    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
        max_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = StripeHttp(
            api_key,
            base_url,
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
            max_wait=max_wait,
            sleep=sleep,
        )

    def lookup(self, merchant: str, ref: str) -> tuple[str, ...]:
        if merchant != "stripe":
            raise LineItemsNotFound(f"no line items for merchant {merchant!r}")
        url = f"{self._http.base}/v1/checkout/sessions/{quote(ref, safe='')}/line_items"
        ids: dict[str, None] = {}  # ordered and de-duplicated
        params: dict[str, str | int] = {"limit": PAGE}
        for _ in range(MAX_PAGES):
            page = self._page(url, params, ref)
            items = page.get("data")
            if not isinstance(items, list):
                raise LineItemsUnavailable(f"session {ref}: Stripe's answer has no data list")
            for item in items:
                ids.update(dict.fromkeys(_product_ids(item)))
            if page.get("has_more") is not True or not items:
                return tuple(ids)
            params["starting_after"] = str(items[-1].get("id", ""))
        raise LineItemsUnavailable(f"session {ref}: more than {MAX_PAGES} pages of line items")

    def _page(self, url: str, params: dict[str, str | int], ref: str) -> dict[str, Any]:
        """One page of the list, retried while Stripe is busy or unreachable."""
        try:
            response = self._http.request("GET", url, params=params)
        except StripeUnavailable as exc:
            raise LineItemsUnavailable(f"session {ref}: {exc}") from None
        return _answer(response, ref)


def _answer(response: requests.Response, ref: str) -> dict[str, Any]:
    status = response.status_code
    if status == 404:
        raise LineItemsNotFound(f"Stripe has no Checkout Session {ref}: {stripe_error(response)}")
    if status in (401, 403):
        raise LineItemsUnavailable(
            f"session {ref}: Stripe refused the key ({status}); STRIPE_API_KEY needs "
            "Checkout Sessions read"
        )
    if status != 200:
        raise LineItemsNotFound(
            f"session {ref}: Stripe answered {status}: {stripe_error(response)}"
        )
    try:
        body = response.json()
    except ValueError:
        raise LineItemsUnavailable(f"session {ref}: Stripe's answer is not JSON") from None
    if not isinstance(body, dict):
        raise LineItemsUnavailable(f"session {ref}: Stripe's answer is not an object")
    return body


def _product_ids(item: object) -> list[str]:
    """`stripe:<price id>` and `stripe:<product id>` of one line item."""
    price = item.get("price") if isinstance(item, dict) else None
    if not isinstance(price, dict):
        return []
    product = price.get("product")
    if isinstance(product, dict):  # expanded: the Product object
        product = product.get("id")
    return [f"stripe:{i}" for i in (price.get("id"), product) if isinstance(i, str) and i]
