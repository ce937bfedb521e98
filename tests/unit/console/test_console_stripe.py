"""`exlibris stripe connect|products` against the stand-in of Stripe's API, through requests.

The embedded stack has no Secret Manager, so connect prints the signing secret
for STRIPE_WEBHOOK_SECRET (console/secret_store.py's PrintedSecret).
"""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from common.catalog import parse_catalog
from common.settings import Settings
from console.__main__ import run
from tests.support.http_standin import Reply
from tests.support.shop import local_storage
from tests.support.stripe_standin import API_KEY, StripeStandIn
from tests.support.stripe_standin import rate_limited as busy

URL = "https://exlibris-abc.a.run.app/webhooks/stripe"
EVENTS = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
]


@pytest.fixture
def api() -> Iterator[StripeStandIn]:
    with StripeStandIn() as standin:
        assert isinstance(standin, StripeStandIn)
        yield standin


@pytest.fixture
def shop(settings: Settings, api: StripeStandIn) -> Settings:
    return settings.with_overrides(stripe_api_key=API_KEY, stripe_api_url=api.url)


def console(settings: Settings, *argv: str, **overrides: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(
        list(argv),
        settings,
        stderr=err,
        storage=local_storage(settings),
        out=Console(file=out, width=200),
        sleep=lambda seconds: None,
        **overrides,
    )
    return status, out.getvalue(), err.getvalue()


def test_connect_creates_the_endpoint_and_prints_its_secret(shop: Settings, api: StripeStandIn):
    status, out, err = console(shop, "stripe", "connect", "--url", URL)
    assert (status, err) == (0, "")
    [endpoint] = api.endpoints
    assert endpoint["url"] == URL and endpoint["enabled_events"] == EVENTS
    assert f"STRIPE_WEBHOOK_SECRET={endpoint['secret']}" in out
    [_, create] = api.requests
    assert create.method == "POST" and create.headers["authorization"] == f"Bearer {API_KEY}"


def test_connect_twice_changes_nothing(shop: Settings, api: StripeStandIn):
    console(shop, "stripe", "connect", "--url", URL)
    status, out, _ = console(shop, "stripe", "connect", "--url", URL)
    assert status == 0 and "already connected" in out and "whsec_" not in out
    assert len(api.endpoints) == 1


def test_connect_names_the_events_an_existing_endpoint_lacks(shop: Settings, api: StripeStandIn):
    api.endpoints.append(
        {
            "id": "we_1",
            "url": URL,
            "enabled_events": ["checkout.session.completed"],
            "status": "disabled",
        }
    )
    status, out, _ = console(shop, "stripe", "connect", "--url", URL)
    assert status == 0
    assert "does not send checkout.session.async_payment_succeeded" in out
    assert "disabled" in out


def test_connect_waits_out_a_rate_limit(shop: Settings, api: StripeStandIn):
    api.script(busy(1))
    assert console(shop, "stripe", "connect", "--url", URL)[0] == 0
    assert len(api.endpoints) == 1


def test_connect_says_what_stripe_refused(shop: Settings, api: StripeStandIn):
    api.script(
        Reply(400, {"error": {"message": "Invalid URL", "type": "invalid_request_error"}}),
        path_prefix="/v1/webhook_endpoints",
    )
    status, _, err = console(shop, "stripe", "connect", "--url", URL)
    assert status == 1 and "Stripe refused GET /v1/webhook_endpoints (400): Invalid URL" in err


@pytest.mark.parametrize("url", ["http://shop.example/webhooks/stripe", "https://shop.example/"])
def test_connect_wants_the_https_stripe_route(shop: Settings, url: str):
    status, _, err = console(shop, "stripe", "connect", "--url", url)
    assert status == 1 and "ending in /webhooks/stripe" in err


def test_without_a_key_the_commands_say_so(settings: Settings):
    status, _, err = console(settings, "stripe", "products")
    assert status == 1 and "STRIPE_API_KEY: required" in err


def test_products_prints_catalog_entries_that_parse(shop: Settings, api: StripeStandIn):
    book = api.add_product("Practical Python Projects", [2900, 1900])
    api.add_product("Retired Edition", [900], active=False)
    for n in range(120):  # more than a page of prices
        api.add_product(f"Pamphlet {n}", [100])
    status, out, err = console(shop, "stripe", "products")
    assert (status, err) == (0, "")
    catalog = tomllib.loads(out)
    entry = catalog["products"]["practical-python-projects"]
    prices = [p["id"] for p in api.prices if p["product"] == book]
    assert entry["ids"] == [f"stripe:{book}", *(f"stripe:{p}" for p in prices)]
    assert "retired-edition" not in catalog["products"]
    assert len(catalog["products"]) == 121
    parse_catalog(out)  # what it prints is a catalog as it stands


def test_products_new_leaves_out_what_the_catalog_lists(
    shop: Settings, api: StripeStandIn, tmp_path: Path
):
    book = api.add_product("Practical Python Projects", [2900])
    api.add_product("Second Book", [1900])
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        f'[products.practical-python]\nids = ["stripe:{book}"]\ntitle = "P"\n'
        'files = [{ source = "practical-python.pdf", stamp = true }]\n'
    )
    status, out, _ = console(
        shop.with_overrides(catalog=str(catalog)), "stripe", "products", "--new"
    )
    assert status == 0 and list(tomllib.loads(out)["products"]) == ["second-book"]
