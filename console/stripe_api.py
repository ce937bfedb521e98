"""A small client of Stripe's API for the console: list with pagination, create.

A list pages with `starting_after` (common/merchants/_stripe_http.py's
list_stripe_objects, as the worker's line items), at most 100 pages here. A
create is a form-encoded POST (arrays as `name[]`) answering the object. Errors
come as `{"error": {"type", "code", "message"}}` (docs.stripe.com/api/errors),
turned into one MerchantApiError sentence. Retries and the key are
common/merchants/_stripe_http.py's, as for the worker's lookups; the call is
console/merchant_api.py's, as for Paddle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any, Unpack

import requests

from common.merchants import Patience, StripeHttp, list_stripe_objects
from console.merchant_api import AT_A_TERMINAL, MerchantApiError, call_json

_MAX_PAGES = 100


class StripeApi:
    def __init__(self, api_key: str, base_url: str, **patience: Unpack[Patience]) -> None:
        self._http = StripeHttp(api_key, base_url, **(AT_A_TERMINAL | patience))

    def list(self, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """Every object of a list operation, page after page."""
        return list_stripe_objects(
            lambda query: self._request("GET", path, params=query),
            params or {},
            max_pages=_MAX_PAGES,
            too_long=lambda: MerchantApiError(
                f"Stripe's list {path} has more than {_MAX_PAGES} pages"
            ),
        )

    def create(self, path: str, form: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """POST a form; the object Stripe made."""
        return self._request("POST", path, data=form)

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        refusal = partial(self._refusal, method, path)
        return call_json(self._http, method, f"{self._http.base}{path}", refusal, **kwargs)

    def _refusal(self, method: str, path: str, response: requests.Response) -> str:
        error = self._http.error(response)
        return f"Stripe refused {method} {path} ({response.status_code}): {error}"
