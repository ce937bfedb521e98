"""`exlibris lemonsqueezy connect|products` against the stand-in of Lemon Squeezy's API.

Through the console's entry point and requests over real HTTP to
tests/support/lemonsqueezy_standin.py. In the cloud the secret goes through the
real google-cloud-secret-manager client (REST, an explicit endpoint, anonymous
credentials) to tests/support/secret_manager_standin.py; on the embedded stack
it is printed for LEMONSQUEEZY_WEBHOOK_SECRET.
"""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import secretmanager
from rich.console import Console

from common.catalog import parse_catalog
from common.settings import Settings
from console.__main__ import run
from console.secret_store import SecretManagerStore
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET
from tests.support.http_standin import Reply
from tests.support.lemonsqueezy_standin import API_KEY, JSON_API, LemonSqueezyStandIn, rate_limited
from tests.support.secret_manager_standin import SecretManagerStandIn
from tests.support.shop import local_storage

URL = "https://exlibris-abc.a.run.app/webhooks/lemonsqueezy"
PROJECT = "shop-123456"
SECRET = "exlibris-lemonsqueezy-webhook-secret"


@pytest.fixture
def api() -> Iterator[LemonSqueezyStandIn]:
    with LemonSqueezyStandIn() as standin:
        assert isinstance(standin, LemonSqueezyStandIn)
        yield standin


@pytest.fixture
def store(api: LemonSqueezyStandIn) -> str:
    return api.add_store()


@pytest.fixture
def shop(settings: Settings, api: LemonSqueezyStandIn) -> Settings:
    return settings.with_overrides(lemonsqueezy_api_key=API_KEY, lemonsqueezy_api_url=api.url)


def console(settings: Settings, *argv: str, **overrides: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    overrides.setdefault("sleep", lambda seconds: None)
    status = run(
        list(argv),
        settings,
        stderr=err,
        storage=local_storage(settings),
        out=Console(file=out, width=200),
        **overrides,
    )
    return status, out.getvalue(), err.getvalue()


def connect(settings: Settings, store: str, **overrides: Any) -> tuple[int, str, str]:
    return console(settings, "lemonsqueezy", "connect", "--url", URL, "--store", store, **overrides)


def cloud(api: LemonSqueezyStandIn, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "LOCAL_DATA_DIR": str(tmp_path / "var"),
            "CATALOG": str(SAMPLE_CATALOG),
            "STORAGE_BACKEND": "gcs",
            "PUBLISH_BACKEND": "pubsub",
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "PUBSUB_TOPIC": "exlibris-orders",
            "STAMP_SECRET": STAMP_SECRET,
            "LEMONSQUEEZY_API_KEY": API_KEY,
            "LEMONSQUEEZY_API_URL": api.url,
        }
    )


def secret_store(standin: SecretManagerStandIn) -> SecretManagerStore:
    client = secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": standin.url},
    )
    return SecretManagerStore(client, PROJECT)


class TestConnect:
    def test_creates_the_webhook_and_prints_its_secret_on_the_embedded_stack(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        status, out, err = connect(shop, store)
        assert (status, err) == (0, "")
        [webhook] = api.webhooks
        attributes = webhook["attributes"]
        assert attributes["url"] == URL and attributes["store_id"] == int(store)
        assert attributes["events"] == ["order_created", "order_refunded"]
        assert attributes["test_mode"] is True  # a test-mode key makes a test-mode webhook
        secret = api.secrets[webhook["id"]]
        assert 6 <= len(secret) <= 40 and "," not in secret
        assert f"LEMONSQUEEZY_WEBHOOK_SECRET={secret}" in out
        assert f"created webhook {webhook['id']} (test mode) in store Held Out Books" in out
        [create] = [r for r in api.requests if r.method == "POST"]
        assert create.path == "/v1/webhooks"
        assert create.json()["data"]["relationships"] == {
            "store": {"data": {"type": "stores", "id": store}}
        }

    def test_every_request_carries_the_key_and_the_json_api_media_types(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        assert connect(shop, store)[0] == 0
        assert len(api.requests) == 4  # users/me, the store, the webhooks, the create
        for request in api.requests:
            assert request.headers["authorization"] == f"Bearer {API_KEY}", request.path
            assert request.headers["accept"] == JSON_API, request.path
            assert request.headers["content-type"] == JSON_API, request.path

    def test_a_second_connect_changes_nothing(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        first = connect(shop, store)[1]
        status, out, err = connect(shop, store)
        assert (status, err) == (0, "")
        assert "already connected" in out and "nothing changed" in out
        assert "does not send" not in out
        assert len(api.webhooks) == 1 and len([r for r in api.requests if r.method == "POST"]) == 1
        secret = next(iter(api.secrets.values()))
        assert secret in first and secret not in out

    def test_names_the_events_an_existing_webhook_lacks(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        for n in range(150):  # more than a page: the one for URL is on the second
            api.webhooks.append(_webhook(f"{n + 100}", store, f"https://x{n}.example/h"))
        api.webhooks.insert(0, _webhook("99", store, URL, ["order_created"]))
        status, out, _ = connect(shop, store)
        assert status == 0
        assert "already connected: webhook 99" in out
        assert "does not send order_refunded" in out
        pages = [r.query["page[number]"] for r in api.requests if r.path == "/v1/webhooks"]
        assert pages == [["1"], ["2"]]
        assert all(r.method == "GET" for r in api.requests)

    def test_a_webhook_of_another_store_is_not_this_one(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        other = api.add_store("Other Shop")
        api.webhooks.append(_webhook("7", other, URL))
        assert connect(shop, store)[0] == 0
        assert [w["attributes"]["store_id"] for w in api.webhooks] == [int(other), int(store)]

    def test_a_live_key_makes_a_live_webhook(self, shop: Settings, store: str) -> None:
        with LemonSqueezyStandIn(test_mode=False) as live:
            live.stores = {store: _store(store)}
            settings = shop.with_overrides(lemonsqueezy_api_url=live.url)
            status, out, _ = connect(settings, store)
            assert status == 0 and "(live mode)" in out
            [webhook] = live.webhooks
            assert webhook["attributes"]["test_mode"] is False
            assert "test_mode" not in live.requests[-1].json()["data"]["attributes"]

    def test_in_the_cloud_the_secret_goes_to_secret_manager_and_is_never_shown(
        self, api: LemonSqueezyStandIn, store: str, tmp_path: Path
    ) -> None:
        with SecretManagerStandIn(PROJECT, (SECRET,)) as manager:
            status, out, err = connect(cloud(api, tmp_path), store, secrets=secret_store(manager))
        assert status == 0, err
        [webhook] = api.webhooks
        secret = api.secrets[webhook["id"]]
        assert manager.versions[SECRET] == [secret.encode()]
        assert f"projects/123456789012/secrets/{SECRET}/versions/1" in out
        assert secret not in out and secret not in err

    def test_a_secret_manager_without_the_secret_stops_before_any_webhook(
        self, api: LemonSqueezyStandIn, store: str, tmp_path: Path
    ) -> None:
        with SecretManagerStandIn(PROJECT, ()) as empty:
            status, out, err = connect(cloud(api, tmp_path), store, secrets=secret_store(empty))
        assert status == 1
        assert f"secret projects/{PROJECT}/secrets/{SECRET} does not exist" in err
        assert api.webhooks == []  # never a webhook whose secret nobody holds
        assert api.secrets == {} and "created" not in out

    def test_a_wrong_key_is_said_in_one_line(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        wrong = "ls_test_not-this-one"
        status, out, err = connect(shop.with_overrides(lemonsqueezy_api_key=wrong), store)
        assert status == 1 and out == ""
        assert len(err.splitlines()) == 1
        assert "refused the API key (401): LEMONSQUEEZY_API_KEY is wrong" in err
        assert wrong not in err
        assert len(api.requests) == 1  # the first call said it; nothing was tried after

    def test_a_rate_limit_is_waited_out(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        api.script(rate_limited(7), path_prefix="/v1/webhooks")
        slept: list[float] = []
        status, _, err = connect(shop, store, sleep=slept.append)
        assert (status, err) == (0, "")
        assert slept == [7.0]  # its Retry-After, not a guess
        assert len(api.webhooks) == 1

    def test_a_rate_limit_that_lasts_is_one_line(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        api.script(*[rate_limited(1)] * 3)
        status, _, err = connect(shop, store)
        assert status == 1 and len(err.splitlines()) == 1
        assert "Lemon Squeezy answered 429 after 3 attempts; try again in a minute" in err
        assert "Stripe" not in err

    def test_an_unknown_store_is_named(self, shop: Settings, api: LemonSqueezyStandIn) -> None:
        status, _, err = connect(shop, "424242")
        assert status == 1 and "--store 424242: no such store for this API key" in err
        assert api.webhooks == []

    def test_a_refused_create_says_no_webhook_was_made(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        empty = {"meta": {"page": {"currentPage": 1, "lastPage": 1}}, "links": {}, "data": []}
        refusal = {"errors": [{"detail": "The url must be reachable.", "status": "422",
                               "title": "Unprocessable Entity"}]}  # fmt: skip
        api.script(  # the list of webhooks, then the create
            Reply(200, empty, {"Content-Type": JSON_API}),
            Reply(422, refusal, {"Content-Type": JSON_API}),
            path_prefix="/v1/webhooks",
        )
        status, _, err = connect(shop, store)
        assert status == 1 and len(err.splitlines()) == 1
        assert (
            "Lemon Squeezy refused POST /v1/webhooks (422 Unprocessable Entity): The url must be "
            "reachable.; no webhook was made: run connect again once fixed"
        ) in err
        assert api.webhooks == []

    @pytest.mark.parametrize(
        "url", ["http://shop.example/webhooks/lemonsqueezy", "https://shop.example/webhooks/stripe"]
    )
    def test_wants_the_https_lemonsqueezy_route(self, shop: Settings, store: str, url: str) -> None:
        status, _, err = console(shop, "lemonsqueezy", "connect", "--url", url, "--store", store)
        assert status == 1 and "ending in /webhooks/lemonsqueezy" in err

    @pytest.mark.parametrize("store_id", ["abc", "0", "1/../2", "-1", "١٢"])
    def test_a_store_id_is_a_number(self, shop: Settings, store_id: str) -> None:
        status, _, err = console(shop, "lemonsqueezy", "connect", "--url", URL, "--store", store_id)
        assert status == 2 and "expected a store id" in err


def test_without_a_key_the_commands_say_so(settings: Settings) -> None:
    status, _, err = console(settings, "lemonsqueezy", "products")
    assert status == 1 and "LEMONSQUEEZY_API_KEY: required" in err


class TestProducts:
    def test_prints_catalog_entries_that_parse(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        _, variants = api.add_product(
            store,
            "Practical Python Projects",
            [("Default", 999, "pending"), ("PDF", 1900, "published"), ("PDF + EPUB", 2900,
             "published"), ("Hardcover", 4900, "draft")],
        )  # fmt: skip
        _, [default] = api.add_product(store, "A Single Edition")
        api.add_product(store, "Unfinished", status="draft")
        for n in range(120):  # more than a page of products
            api.add_product(store, f"Pamphlet {n:03d}")
        status, out, err = console(shop, "lemonsqueezy", "products")
        assert (status, err) == (0, "")
        catalog = tomllib.loads(out)
        entry = catalog["products"]["practical-python-projects"]
        assert entry["ids"] == [f"lemonsqueezy:{v}" for v in variants[1:3]]
        assert catalog["products"]["a-single-edition"]["ids"] == [f"lemonsqueezy:{default}"]
        assert "unfinished" not in catalog["products"]
        assert len(catalog["products"]) == 122
        assert f"# {variants[1]}: PDF 1900 (minor units)" in out
        parse_catalog(out)  # what it prints is a catalog as it stands
        pages = [r.query["page[number]"] for r in api.requests if r.path == "/v1/products"]
        assert pages == [["1"], ["2"]]

    def test_new_leaves_out_what_the_catalog_lists(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str, tmp_path: Path
    ) -> None:
        _, [listed] = api.add_product(store, "Practical Python Projects")
        api.add_product(store, "Second Book")
        catalog = tmp_path / "catalog.toml"
        catalog.write_text(
            f'[products.practical-python]\nids = ["lemonsqueezy:{listed}"]\ntitle = "P"\n'
            'files = [{ source = "practical-python.pdf", stamp = true }]\n'
        )
        status, out, _ = console(
            shop.with_overrides(catalog=str(catalog)), "lemonsqueezy", "products", "--new"
        )
        assert status == 0 and list(tomllib.loads(out)["products"]) == ["second-book"]

    def test_names_that_toml_comments_cannot_hold_still_parse(
        self, shop: Settings, api: LemonSqueezyStandIn, store: str
    ) -> None:
        api.add_product(store, 'The "Bell"\x07 Book\n', [("Ed.\x1b[31m 1", 500, "published")])
        status, out, _ = console(shop, "lemonsqueezy", "products")
        assert status == 0
        assert tomllib.loads(out)["products"]["the-bell-book"]["title"] == 'The "Bell" Book'
        parse_catalog(out)

    def test_a_wrong_key_is_said_in_one_line(self, shop: Settings) -> None:
        status, _, err = console(
            shop.with_overrides(lemonsqueezy_api_key="wrong"), "lemonsqueezy", "products"
        )
        assert status == 1 and len(err.splitlines()) == 1 and "LEMONSQUEEZY_API_KEY is wrong" in err


def _store(store_id: str) -> dict[str, Any]:
    return {"type": "stores", "id": store_id, "attributes": {"name": "Held Out Books"}}


def _webhook(
    webhook_id: str, store: str, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    attributes = {"store_id": int(store), "url": url, "test_mode": True}
    attributes["events"] = events or ["order_created", "order_refunded"]
    return {"type": "webhooks", "id": webhook_id, "attributes": attributes}
