"""POST /webhooks/woocommerce through the service app: what is published, and what never is.

Requests are the bytes and headers WordPress sends (tests/support/woocommerce_payloads.py);
the publisher is a recorder standing in for Pub/Sub behind the real route.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.merchants._woocommerce import sign_woocommerce
from common.messages import Message, OrderPaid, OrderRevoked
from common.publish import PublishError
from common.settings import Settings
from service.app import create_app
from tests.support.woocommerce_payloads import SECRET, delivery, order, ping, write_catalog

URL = "/webhooks/woocommerce"


class Recorder:
    """The publisher port, keeping what it was given; `failing` makes it refuse."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.failing = False

    def publish(self, message: Message) -> str:
        if self.failing:
            raise PublishError("topic unreachable")
        self.messages.append(message)
        return f"m-{len(self.messages)}"


@pytest.fixture
def shop(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        woocommerce_webhook_secret=SECRET, catalog=str(write_catalog(tmp_path))
    )


@pytest.fixture
def publisher() -> Recorder:
    return Recorder()


@pytest.fixture
def client(shop: Settings, publisher: Recorder) -> FlaskClient:
    return create_app(shop, publisher=publisher).test_client()


def test_a_signed_sale_is_published(client: FlaskClient, publisher: Recorder) -> None:
    body, headers = delivery(order(), topic="order.created")
    response = client.post(URL, data=body, headers=headers)
    assert (response.status_code, response.json) == (200, {"status": "accepted"})
    [message] = publisher.messages
    assert isinstance(message, OrderPaid) and message.order_id == "woocommerce-727"


def test_a_refund_is_published_as_a_revocation(client: FlaskClient, publisher: Recorder) -> None:
    body, headers = delivery(order(status="refunded"))
    assert client.post(URL, data=body, headers=headers).status_code == 200
    [message] = publisher.messages
    assert isinstance(message, OrderRevoked) and message.order_id == "woocommerce-727"


@pytest.mark.parametrize("charset", [True, False], ids=["fsockopen", "curl"])
def test_the_ping_gets_200_and_is_not_published(
    client: FlaskClient, publisher: Recorder, charset: bool
) -> None:
    body, headers = ping(12, charset=charset)
    response = client.post(URL, data=body, headers=headers)
    assert (response.status_code, response.json) == (200, {"status": "ignored"})
    assert publisher.messages == []


def test_merchant_off_is_404(settings: Settings, publisher: Recorder) -> None:
    client = create_app(settings, publisher=publisher).test_client()  # no WooCommerce secret
    body, headers = delivery(order())
    assert client.post(URL, data=body, headers=headers).status_code == 404
    assert publisher.messages == []


def _forged() -> tuple[bytes, dict[str, str]]:
    return delivery(order(), "not the shop's secret")


def _unsigned() -> tuple[bytes, dict[str, str]]:
    body, headers = delivery(order())
    del headers["X-WC-Webhook-Signature"]
    return body, headers


def _tampered() -> tuple[bytes, dict[str, str]]:
    body, headers = delivery(order(status="pending"))
    return body.replace(b'"pending"', b'"completed"'), headers


def _form_not_ping() -> tuple[bytes, dict[str, str]]:
    return b"webhook_id=12&status=completed", ping()[1]


@pytest.mark.parametrize(
    ("request_of", "reason"),
    [
        (_forged, "no matching signature"),
        (_unsigned, "missing X-WC-Webhook-Signature"),
        (_tampered, "no matching signature"),
        (_form_not_ping, "WooCommerce's ping"),
    ],
    ids=["forged", "unsigned", "tampered", "form-not-ping"],
)
def test_a_bad_signature_is_401_and_nothing_is_published(
    client: FlaskClient, publisher: Recorder, request_of, reason: str
) -> None:
    body, headers = request_of()
    response = client.post(URL, data=body, headers=headers)
    assert response.status_code == 401
    assert reason in response.json["error"]
    assert publisher.messages == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id": 727, "status": "processing"}',
        json.dumps(order(email="")).encode(),
    ],
    ids=["not-json", "array", "no-lines", "no-email"],
)
def test_signed_but_invalid_is_400_and_nothing_is_published(
    client: FlaskClient, publisher: Recorder, body: bytes
) -> None:
    _, headers = delivery(order())
    headers["X-WC-Webhook-Signature"] = sign_woocommerce(body, SECRET)
    response = client.post(URL, data=body, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]
    assert publisher.messages == []


def test_another_content_type_is_415(client: FlaskClient, publisher: Recorder) -> None:
    body, headers = delivery(order())
    headers["Content-Type"] = "text/plain"
    response = client.post(URL, data=body, headers=headers)
    assert response.status_code == 415
    assert (
        response.json["error"] == "expected application/json or application/x-www-form-urlencoded"
    )


def test_lower_cased_headers_are_accepted(client: FlaskClient, publisher: Recorder) -> None:
    body, headers = delivery(order(), lowercase=True)
    assert client.post(URL, data=body, headers=headers).status_code == 200
    assert len(publisher.messages) == 1


def test_an_unpaid_order_is_200_and_not_published(client: FlaskClient, publisher: Recorder) -> None:
    body, headers = delivery(order(status="pending"), topic="order.created")
    assert client.post(URL, data=body, headers=headers).json == {"status": "ignored"}
    assert publisher.messages == []


def test_an_unknown_product_is_200_and_kept_for_the_author(
    client: FlaskClient, publisher: Recorder, shop: Settings
) -> None:
    body, headers = delivery(order(lines=[(1, 4242, 0)]))
    response = client.post(URL, data=body, headers=headers)
    assert (response.status_code, response.json["status"]) == (200, "unknown product")
    assert publisher.messages == []
    [letter] = (shop.local_data_dir / "dead-letter").glob("*-unknown-product-woocommerce-727.json")
    assert "woocommerce:4242" in json.loads(letter.read_text())["reason"]


def test_a_publishing_failure_is_503(client: FlaskClient, publisher: Recorder) -> None:
    publisher.failing = True
    body, headers = delivery(order())
    assert client.post(URL, data=body, headers=headers).status_code == 503
