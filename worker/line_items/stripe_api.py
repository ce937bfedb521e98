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
(common/merchants/_http.py, as the console's calls); then the lookup is
LineItemsUnavailable, the push answers 5xx and Pub/Sub redelivers later. 404 is
LineItemsNotFound (Stripe's `resource_missing`: no such session on this account or
in this mode), as is any other 4xx but 401/403, which mean the key is wrong and are
retried once the key is fixed. Needs a restricted key with Checkout Sessions read.
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import quote

from common.merchants import (
    MerchantAnswerError,
    Patience,
    StripeHttp,
    StripeUnavailable,
    list_stripe_objects,
)
from worker.line_items._port import LineItemsNotFound, LineItemsUnavailable

MAX_PAGES = 50  # 5,000 lines: far beyond any book order, and a bound on a looping cursor


class StripeLineItems:
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        # A push's patience, with a Retry-After capped shorter than Paddle's lookups.
        self._http = StripeHttp(api_key, base_url, **(Patience(max_wait=5.0) | patience))

    def lookup(self, merchant: str, ref: str) -> tuple[str, ...]:
        if merchant != "stripe":
            raise LineItemsNotFound(f"no line items for merchant {merchant!r}")
        url = f"{self._http.base}/v1/checkout/sessions/{quote(ref, safe='')}/line_items"
        ids: dict[str, None] = {}  # ordered and de-duplicated
        items = list_stripe_objects(
            lambda params: self._page(url, params, ref),
            {},
            max_pages=MAX_PAGES,
            too_long=lambda: LineItemsUnavailable(
                f"session {ref}: more than {MAX_PAGES} pages of line items"
            ),
        )
        for item in items:
            ids.update(dict.fromkeys(_product_ids(item)))
        return tuple(ids)

    def _page(self, url: str, params: dict[str, str], ref: str) -> dict[str, Any]:
        """One page of the list, retried while Stripe is busy or unreachable."""
        try:
            response = self._http.request("GET", url, params=params)
        except StripeUnavailable as exc:
            raise LineItemsUnavailable(f"session {ref}: {exc}") from None
        status = response.status_code
        if status == 404:
            raise LineItemsNotFound(
                f"Stripe has no Checkout Session {ref}: {self._http.error(response)}"
            )
        if status in (401, 403):
            raise LineItemsUnavailable(
                f"session {ref}: Stripe refused the key ({status}); STRIPE_API_KEY needs "
                "Checkout Sessions read"
            )
        if status != 200:
            raise LineItemsNotFound(
                f"session {ref}: Stripe answered {status}: {self._http.error(response)}"
            )
        try:
            page = self._http.json_object(response)
        except MerchantAnswerError as exc:
            raise LineItemsUnavailable(f"session {ref}: {exc}") from None
        if not isinstance(page.get("data"), list):
            raise LineItemsUnavailable(f"session {ref}: Stripe's answer has no data list")
        return page


def _product_ids(item: object) -> list[str]:
    """`stripe:<price id>` and `stripe:<product id>` of one line item."""
    price = item.get("price") if isinstance(item, dict) else None
    if not isinstance(price, dict):
        return []
    product = price.get("product")
    if isinstance(product, dict):  # expanded: the Product object
        product = product.get("id")
    return [f"stripe:{i}" for i in (price.get("id"), product) if isinstance(i, str) and i]
