"""POST /webhooks/shopify through the service app: what is published, and every refusal.

Shopify counts anything but a 2xx within 5 s as a failed delivery and retries it
(shopify.dev/docs/apps/build/webhooks/subscribe/https), so a 401 or 400 here is a
delivery Shopify will try again and, if they persist, a subscription it removes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.messages import ItemsRefunded, Message, OrderPaid
from common.publish import PublishError
from common.settings import Settings
from service.app import create_app
from tests.support.shopify_payloads import (
    ORDER_ID,
    orders_paid,
    refunds_create,
    shopify_catalog,
    shopify_request,
)

SECRET = "shpss_route-test-secret"


class Recorder:
    """A publisher that keeps what it accepted, or fails like an unreachable Pub/Sub."""

    def __init__(self, *, down: bool = False) -> None:
        self.published: list[Message] = []
        self.down = down

    def publish(self, message: Message) -> str:
        if self.down:
            raise PublishError("pub/sub unreachable")
        self.published.append(message)
        return f"m-{len(self.published)}"


@pytest.fixture
def shop(settings: Settings, tmp_path: Path) -> Settings:
    catalog = shopify_catalog(tmp_path)
    return settings.with_overrides(catalog=str(catalog), shopify_webhook_secrets=(SECRET,))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(shop: Settings, recorder: Recorder) -> FlaskClient:
    return create_app(shop, publisher=recorder).test_client()


def post(client: FlaskClient, payload: dict, topic: str = "orders/paid", **kw: Any):
    body, headers = shopify_request(payload, SECRET, topic, **kw)
    return client.post("/webhooks/shopify", data=body, headers=headers)


def test_a_signed_sale_is_published(client: FlaskClient, recorder: Recorder) -> None:
    response = post(client, orders_paid(), webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
    assert (response.status_code, response.json) == (200, {"status": "accepted"})
    [message] = recorder.published
    assert isinstance(message, OrderPaid)
    assert message.order_id == f"shopify-{ORDER_ID}"
    assert message.event_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"


def test_lowercased_headers_are_read(client: FlaskClient, recorder: Recorder) -> None:
    assert post(client, orders_paid(), lowercase=True).status_code == 200
    assert len(recorder.published) == 1


def test_a_signed_refund_is_published(client: FlaskClient, recorder: Recorder) -> None:
    assert post(client, refunds_create(), "refunds/create").status_code == 200
    [message] = recorder.published
    assert isinstance(message, ItemsRefunded)


def test_another_topic_is_answered_200_and_not_published(
    client: FlaskClient, recorder: Recorder
) -> None:
    response = post(client, {"id": 1}, "app/uninstalled")
    assert (response.status_code, response.json) == (200, {"status": "ignored"})
    assert recorder.published == []


def test_the_route_is_404_while_the_secret_is_unset(settings: Settings) -> None:
    recorder = Recorder()
    client = create_app(settings, publisher=recorder).test_client()
    assert post(client, orders_paid()).status_code == 404
    assert recorder.published == []


def _forged(headers: dict[str, str]) -> dict[str, str]:
    return headers | {"X-Shopify-Hmac-Sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="}


def _no_hmac(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "X-Shopify-Hmac-Sha256"}


def _hex(headers: dict[str, str]) -> dict[str, str]:
    return headers | {"X-Shopify-Hmac-Sha256": "ab" * 32}


def _no_topic(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "X-Shopify-Topic"}


BAD = {
    "forged": (_forged, "no matching signature"),
    "no signature": (_no_hmac, "missing X-Shopify-Hmac-Sha256 header"),
    "hex signature": (_hex, "not the base64 of a SHA-256 digest"),
    "no topic": (_no_topic, "missing X-Shopify-Topic header"),
}


@pytest.mark.parametrize(("spoil", "reason"), BAD.values(), ids=BAD.keys())
def test_a_bad_signature_is_401_and_nothing_is_published(
    client: FlaskClient, recorder: Recorder, spoil, reason: str
) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    response = client.post("/webhooks/shopify", data=body, headers=spoil(headers))
    assert response.status_code == 401
    assert reason in response.json["error"]
    assert recorder.published == []


def test_signed_but_invalid_is_400_and_nothing_is_published(
    client: FlaskClient, recorder: Recorder
) -> None:
    response = post(client, orders_paid(email=None, customer_email=None))
    assert response.status_code == 400
    assert "names no buyer" in response.json["error"]
    assert recorder.published == []


def test_another_content_type_is_415(client: FlaskClient, recorder: Recorder) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert client.post("/webhooks/shopify", data=body, headers=headers).status_code == 415
    assert recorder.published == []


def test_a_sale_of_an_unknown_variant_is_200_kept_and_not_published(
    client: FlaskClient, recorder: Recorder, shop: Settings
) -> None:
    response = post(client, orders_paid(variant_ids=(1, 2)))
    assert (response.status_code, response.json["status"]) == (200, "unknown product")
    assert recorder.published == []
    kept = list((shop.local_data_dir / "dead-letter").glob("*unknown-product*"))
    assert len(kept) == 1 and f"shopify-{ORDER_ID}" in kept[0].name


def test_a_publish_failure_is_503_so_shopify_retries(shop: Settings) -> None:
    client = create_app(shop, publisher=Recorder(down=True)).test_client()
    assert post(client, orders_paid()).status_code == 503
