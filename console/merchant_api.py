"""What the console's Paddle and Stripe clients share: a terminal's patience and one JSON call.

An author at a terminal waits for a rate limit's Retry-After, up to half a
minute. A call answers the JSON object the merchant sent, or raises
MerchantApiError, a ConsoleError: one sentence saying the merchant was busy or
unreachable (try again), refused (the merchant's own words) or answered
something unreadable. console/paddle_api.py and console/stripe_api.py say how
a refusal reads and how lists page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from common.merchants import MerchantAnswerError, MerchantHttp, MerchantUnavailable, Patience
from console.errors import ConsoleError

AT_A_TERMINAL = Patience(timeout=15.0, attempts=3, backoff=1.0, max_wait=30.0)


class MerchantApiError(ConsoleError):
    """The merchant refused the request or could not be reached; the message says which."""


def call_json(
    http: MerchantHttp,
    method: str,
    url: str,
    refusal: Callable[[requests.Response], str],
    **kwargs: Any,
) -> dict[str, Any]:
    """The JSON object the merchant answered `method url` with; MerchantApiError if none."""
    try:
        response = http.request(method, url, **kwargs)
    except MerchantUnavailable as exc:
        raise MerchantApiError(f"{exc}; try again in a minute") from None
    if response.status_code >= 400:
        raise MerchantApiError(refusal(response))
    try:
        return http.json_object(response)
    except MerchantAnswerError as exc:
        raise MerchantApiError(str(exc)) from None
