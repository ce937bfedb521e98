"""`exlibris paddle connect|products` against local stand-ins of Paddle and Secret Manager.

The console's own HTTP client (requests) talks to tests/support/paddle_standin.py,
pagination and error shapes included; the secret goes through the real
google-cloud-secret-manager client (REST transport, an explicit endpoint,
anonymous credentials) to tests/support/secret_manager_standin.py.
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
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.support.http_standin import Reply
from tests.support.paddle_standin import PaddleStandIn
from tests.support.secret_manager_standin import SecretManagerStandIn
from tests.support.shop import local_storage

PROJECT = "shop-123456"
SECRET = "exlibris-paddle-webhook-secret"
URL = "https://exlibris-abc.a.run.app/webhooks/paddle"


@pytest.fixture
def secret_manager() -> Iterator[SecretManagerStandIn]:
    with SecretManagerStandIn(PROJECT, (SECRET,)) as standin:
        yield standin


def settings_for(paddle: PaddleStandIn, tmp_path: Path, *, cloud: bool) -> Settings:
    env = {
        "LOCAL_DATA_DIR": str(tmp_path / "var"),
        "CATALOG": str(SAMPLE_CATALOG),
        "PADDLE_API_KEY": paddle.api_key,
        "PADDLE_API_URL": paddle.url,
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    if cloud:
        env |= {
            "STORAGE_BACKEND": "gcs",
            "PUBLISH_BACKEND": "pubsub",
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "PUBSUB_TOPIC": "exlibris-orders",
            "STAMP_SECRET": STAMP_SECRET,
        }
    return Settings.from_env(env)


def secret_store(standin: SecretManagerStandIn) -> SecretManagerStore:
    client = secretmanager.SecretManagerServiceClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": standin.url},
    )
    return SecretManagerStore(client, PROJECT)


def console(settings: Settings, *argv: str, **overrides: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(
        list(argv),
        settings,
        stderr=err,
        storage=local_storage(settings),
        out=Console(file=out, width=200),
        **overrides,
    )
    return status, out.getvalue(), err.getvalue()


class TestConnect:
    def test_creates_the_destination_and_keeps_the_secret_in_secret_manager(
        self, paddle_standin: PaddleStandIn, secret_manager: SecretManagerStandIn, tmp_path: Path
    ) -> None:
        settings = settings_for(paddle_standin, tmp_path, cloud=True)
        status, out, err = console(
            settings, "paddle", "connect", "--url", URL, secrets=secret_store(secret_manager)
        )
        assert status == 0, err
        [created] = [r for r in paddle_standin.requests if r.method == "POST"]
        body = created.json()
        assert body["destination"] == URL and body["type"] == "url"
        assert body["subscribed_events"] == [
            "transaction.completed",
            "adjustment.created",
            "adjustment.updated",
        ]
        assert (body["api_version"], body["traffic_source"]) == (1, "platform")
        for request in paddle_standin.requests:  # the version whose answers this code reads
            assert request.headers["paddle-version"] == "1", request.path
        [setting] = paddle_standin.notification_settings
        assert secret_manager.versions[SECRET] == [setting["endpoint_secret_key"].encode()]
        assert f"projects/123456789012/secrets/{SECRET}/versions/1" in out
        assert setting["endpoint_secret_key"] not in out  # the secret is kept, not shown

    def test_a_second_connect_changes_nothing(
        self, paddle_standin: PaddleStandIn, secret_manager: SecretManagerStandIn, tmp_path: Path
    ) -> None:
        settings = settings_for(paddle_standin, tmp_path, cloud=True)
        store = secret_store(secret_manager)
        assert console(settings, "paddle", "connect", "--url", URL, secrets=store)[0] == 0
        status, out, _ = console(settings, "paddle", "connect", "--url", URL, secrets=store)
        assert status == 0 and "already connected" in out and "nothing changed" in out
        assert len(paddle_standin.notification_settings) == 1
        assert len(secret_manager.versions[SECRET]) == 1

    def test_the_destination_is_found_on_a_later_page(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        paddle_standin.notification_settings.append(
            {"id": "ntfset_00000000000000000000000000", "type": "url", "destination": URL,
             "subscribed_events": [{"name": "transaction.completed"}], "active": False}
        )  # fmt: skip
        paddle_standin.notification_settings.extend(
            {"id": f"ntfset_{n:026d}", "type": "email", "destination": f"a{n}@example.com"}
            for n in range(1, 251)
        )
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, err = console(settings, "paddle", "connect", "--url", URL)
        assert status == 0, err
        assert [r.method for r in paddle_standin.requests] == ["GET", "GET"]
        assert paddle_standin.requests[1].query["after"] == [f"ntfset_{51:026d}"]
        assert "already connected" in out
        assert "does not send adjustment.created, adjustment.updated" in out
        assert "inactive" in out

    def test_on_the_embedded_stack_the_secret_is_printed(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, err = console(settings, "paddle", "connect", "--url", URL)
        assert status == 0, err
        secret = paddle_standin.notification_settings[0]["endpoint_secret_key"]
        assert f"PADDLE_WEBHOOK_SECRET={secret}" in out

    @pytest.mark.parametrize(
        ("reply", "says"),
        [
            (Reply(403, {"error": {"type": "request_error", "code": "forbidden",
                                   "detail": "You aren't permitted to perform this request."}}),
             "Paddle refused GET /notification-settings (403 forbidden): You aren't permitted"),
            (Reply(400, {"error": {"type": "request_error", "code": "invalid_field",
                                   "detail": "Invalid request."}}),
             "(400 invalid_field): Invalid request."),
            (Reply(502, "<html>bad gateway</html>"), "Paddle answered 502; try again in a minute"),
        ],
    )  # fmt: skip
    def test_paddles_refusal_is_one_line(
        self, paddle_standin: PaddleStandIn, tmp_path: Path, reply: Reply, says: str
    ) -> None:
        paddle_standin.script(*[reply] * 3)
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, _, err = console(settings, "paddle", "connect", "--url", URL)
        assert status == 1
        assert len(err.splitlines()) == 1 and says in err
        assert paddle_standin.notification_settings == []

    def test_a_wrong_key_is_refused_by_paddle(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        settings = settings_for(paddle_standin, tmp_path, cloud=False).with_overrides(
            paddle_api_key="pdl_wrong"
        )
        status, _, err = console(settings, "paddle", "products")
        assert status == 1 and "403 forbidden" in err

    def test_a_busy_paddle_is_waited_for(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        paddle_standin.script(
            Reply(429, {"error": {"code": "too_many_requests"}}, {"Retry-After": "0"})
        )
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, _, err = console(settings, "paddle", "connect", "--url", URL)
        assert status == 0, err
        assert len(paddle_standin.notification_settings) == 1

    def test_a_missing_secret_says_terraform_creates_it(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        with SecretManagerStandIn(PROJECT, ()) as empty:
            settings = settings_for(paddle_standin, tmp_path, cloud=True)
            status, _, err = console(
                settings,
                "paddle",
                "connect",
                "--url",
                URL,
                secrets=secret_store(empty),
            )
        assert status == 1
        assert f"secret projects/{PROJECT}/secrets/{SECRET} does not exist" in err

    def test_a_next_page_on_another_host_is_not_followed_with_the_key(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        page = {
            "data": [],
            "meta": {"pagination": {"next": "https://evil.example/x", "has_more": True}},
        }
        paddle_standin.script(Reply(200, page))
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, _, err = console(settings, "paddle", "connect", "--url", URL)
        assert status == 1 and "on another host" in err


class TestProducts:
    def test_prints_catalog_entries_for_active_products_and_prices(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        book = paddle_standin.add_product(
            'The "Quoted" Book', [("Launch price", "active"), ("Old price", "archived")]
        )
        paddle_standin.add_product("Gone", [("x", "active")], status="archived")
        for n in range(60):  # more than the first page of 50
            paddle_standin.add_product(f"Title {n}", [(f"p{n}", "active")])
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, err = console(settings, "paddle", "products")
        assert status == 0, err
        toml = tomllib.loads(out)
        assert len(toml["products"]) == 61 and "gone" not in toml["products"]
        entry = toml["products"]["the-quoted-book"]
        [active] = next(p for p in paddle_standin.products if p["id"] == book)["prices"][:1]
        assert entry["paddle_ids"] == [book, active["id"]]
        assert entry["title"] == 'The "Quoted" Book'
        assert parse_catalog(out).products  # it is a valid catalog as printed
        gets = [r for r in paddle_standin.requests if r.path == "/products"]
        assert len(gets) == 1  # per_page=200: one page
        assert gets[0].query["include"] == ["prices"]

    def test_pages_are_followed_until_has_more_is_false(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        for n in range(205):
            paddle_standin.add_product(f"Book {n}", [("p", "active")])
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, _ = console(settings, "paddle", "products")
        assert status == 0
        assert len(tomllib.loads(out)["products"]) == 205
        assert len([r for r in paddle_standin.requests if r.path == "/products"]) == 2

    def test_two_products_of_one_name_get_two_tables(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        paddle_standin.add_product("Same\nName", [("a\nb", "active")])
        paddle_standin.add_product("Same\nName", [("c", "active")])
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, _ = console(settings, "paddle", "products")
        assert status == 0
        assert len(tomllib.loads(out)["products"]) == 2

    def test_new_leaves_out_what_the_catalog_has(
        self, paddle_standin: PaddleStandIn, tmp_path: Path
    ) -> None:
        paddle_standin.add_product("New Book", [("p", "active")])
        paddle_standin.products.append(
            {"id": "pro_01demopracticalpython00000", "name": "Practical Python", "status": "active",
             "prices": []}
        )  # fmt: skip
        settings = settings_for(paddle_standin, tmp_path, cloud=False)
        status, out, _ = console(settings, "paddle", "products", "--new")
        assert status == 0
        assert list(tomllib.loads(out)["products"]) == ["new-book"]
