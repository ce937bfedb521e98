"""Stripe's line-items adapter against a stand-in of its API, through the real requests client.

The stand-in (tests/support/stripe_standin.py) pages, rate-limits and refuses as
Stripe does; the adapter's sleeps are recorded instead of slept.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from common.settings import Settings
from demo.stack import free_port
from tests.support.http_standin import Reply
from tests.support.stripe_standin import API_KEY, StripeStandIn, rate_limited
from worker.bootstrap import build_line_items
from worker.line_items import (
    DEMO_SESSIONS,
    LineItemsNotFound,
    LineItemsUnavailable,
    MissingApiKey,
    OfflineLineItems,
)
from worker.line_items.stripe_api import StripeLineItems

SESSION = "cs_test_a1enSAC01IA3Ps2vL32mNoWKMCNmmfUGTeEeHXI5tLCvyFNGsdG2UNA7mr"
PATH = f"/v1/checkout/sessions/{SESSION}/line_items"


@pytest.fixture
def api() -> Iterator[StripeStandIn]:
    with StripeStandIn() as standin:
        assert isinstance(standin, StripeStandIn)
        yield standin


@pytest.fixture
def slept() -> list[float]:
    return []


def client(api: StripeStandIn, slept: list[float], key: str = API_KEY) -> StripeLineItems:
    return StripeLineItems(key, api.url + "/", sleep=slept.append)


def test_a_session_gives_its_price_and_product(api, slept):
    api.add_session(SESSION, [("price_1N4AEsLkdIwHu7ix7Ssho8Cl", "prod_NppuJWzzNnD5Ut")])
    ids = client(api, slept).lookup("stripe", SESSION)
    assert ids == ("stripe:price_1N4AEsLkdIwHu7ix7Ssho8Cl", "stripe:prod_NppuJWzzNnD5Ut")
    [request] = api.requests
    assert request.path == PATH
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.query == {"limit": ["100"]}
    assert slept == []


def test_pages_are_followed_until_has_more_is_false(api, slept):
    lines = [(f"price_{n:03d}", f"prod_{n:03d}") for n in range(150)]
    api.add_session(SESSION, lines)
    ids = client(api, slept).lookup("stripe", SESSION)
    assert ids == tuple(i for p, q in lines for i in (f"stripe:{p}", f"stripe:{q}"))
    first, second = api.requests
    assert "starting_after" not in first.query
    assert second.query["starting_after"] == [api.sessions[SESSION][99]["id"]]


def test_two_lines_of_one_product_name_it_once(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book"), ("price_b", "prod_book")])
    ids = client(api, slept).lookup("stripe", SESSION)
    assert ids == ("stripe:price_a", "stripe:prod_book", "stripe:price_b")


def test_an_expanded_product_gives_its_id(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    api.script(api.page(SESSION, expanded=True, limit=100))
    assert client(api, slept).lookup("stripe", SESSION) == ("stripe:price_a", "stripe:prod_book")


def test_a_429_waits_for_its_retry_after(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    api.script(rate_limited(retry_after=2))
    assert client(api, slept).lookup("stripe", SESSION) == ("stripe:price_a", "stripe:prod_book")
    assert slept == [2.0]
    assert len(api.requests) == 2


def test_a_long_retry_after_is_capped(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    api.script(rate_limited(retry_after=3600))
    client(api, slept).lookup("stripe", SESSION)
    assert slept == [5.0]


def test_a_5xx_backs_off_and_retries(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    api.script(Reply(500, {"error": {"type": "api_error", "message": "oops"}}))
    api.script(Reply(503, "Service Unavailable"))
    client(api, slept).lookup("stripe", SESSION)
    assert slept == [0.5, 1.0]


def test_still_busy_after_every_attempt_is_unavailable(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    api.script(rate_limited(1), rate_limited(1), rate_limited(1))
    with pytest.raises(LineItemsUnavailable, match="429 after 3 attempts"):
        client(api, slept).lookup("stripe", SESSION)
    assert len(api.requests) == 3 and slept == [1.0, 1.0]


def test_an_unknown_session_is_not_found_at_once(api, slept):
    with pytest.raises(LineItemsNotFound, match=r"No such checkout\.session"):
        client(api, slept).lookup("stripe", "cs_test_unknown")
    assert len(api.requests) == 1 and slept == []


def test_a_wrong_key_is_unavailable_and_never_shown(api, slept):
    api.add_session(SESSION, [("price_a", "prod_book")])
    with pytest.raises(LineItemsUnavailable, match="STRIPE_API_KEY") as caught:
        client(api, slept, key="rk_test_wrong_key").lookup("stripe", SESSION)
    assert "rk_test_wrong_key" not in str(caught.value)


def test_an_unreachable_api_is_unavailable(slept):
    gone = StripeLineItems(API_KEY, f"http://127.0.0.1:{free_port()}", sleep=slept.append)
    with pytest.raises(LineItemsUnavailable, match="unreachable"):
        gone.lookup("stripe", SESSION)
    assert slept == [0.5, 1.0]


def test_another_merchant_has_no_stripe_line_items(api, slept):
    with pytest.raises(LineItemsNotFound):
        client(api, slept).lookup("shopify", SESSION)
    assert api.requests == []


def test_the_offline_table_answers_the_demo_session_only():
    offline = OfflineLineItems()
    [(session, ids)] = DEMO_SESSIONS.items()
    assert offline.lookup("stripe", session) == ids
    with pytest.raises(LineItemsUnavailable, match="STRIPE_API_KEY"):
        offline.lookup("stripe", SESSION)


def test_without_a_key_outside_the_demo_every_lookup_waits():
    with pytest.raises(LineItemsUnavailable, match="STRIPE_API_KEY is not set"):
        MissingApiKey().lookup("stripe", SESSION)


def test_bootstrap_chooses_the_adapter_by_key_and_stack():
    assert isinstance(build_line_items(Settings(stripe_api_key=API_KEY)), StripeLineItems)
    assert isinstance(build_line_items(Settings()), OfflineLineItems)
    assert isinstance(build_line_items(Settings(storage_backend="gcs")), MissingApiKey)
