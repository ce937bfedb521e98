"""The webhook routes: every non-genuine input gets a clear 4xx and is never published."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from common.messages import OrderPaid, parse_envelope
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from service.app import create_app
from tests.conftest import WEBHOOK_SECRET
from tests.support.imprints import NAME as IMPRINT_NAME
from tests.support.imprints import imprint_catalog
from tests.support.paddle_payloads import (
    billing_adjustment,
    billing_body,
    billing_request,
    billing_transaction_completed,
    classic_dispute,
    classic_fulfilment,
    classic_payment_succeeded,
    public_pem,
    rsa_test_key,
    signed_form,
)

PRICE, PRODUCT = "pri_01demopracticalpython00000", "pro_01demopracticalpython00000"
UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"  # discard port: deliveries fail, spool stays


@pytest.fixture
def publisher(settings: Settings) -> LocalPushPublisher:
    return LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1)


@pytest.fixture
def app(settings: Settings, publisher: LocalPushPublisher) -> Flask:
    key = rsa_test_key()
    shop = settings.with_overrides(paddle_public_key=public_pem(key), shop_name="Practical Books")
    return create_app(shop, publisher=publisher)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def published(settings: Settings) -> list[dict]:
    """Every envelope the publisher accepted: still spooled or already dead-lettered.

    The publisher writes the dead letter before it removes the spool file, so for
    an instant one message may be in both folders: count it once.
    """
    data = settings.local_data_dir
    for _ in range(50):  # a file that moved between the two listings: look again
        by_id: dict[str, dict] = {}
        moved = False
        spooled = [*data.joinpath("spool").glob("*.json")]
        for path in [*spooled, *data.joinpath("dead-letter").glob("*.json")]:
            if "-unknown-product-" in path.name:
                continue
            try:
                envelope = json.loads(path.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                moved = True  # moved or half-written as we looked
                continue
            by_id[envelope["message"]["messageId"]] = envelope
        if not moved:
            return list(by_id.values())
        time.sleep(0.02)
    return list(by_id.values())


def post_billing(client: FlaskClient, payload: dict, **headers: str):
    body, signed = billing_request(payload, WEBHOOK_SECRET, int(time.time()))
    return client.post("/webhooks/paddle", data=body, headers={**signed, **headers})


def test_a_genuine_purchase_is_published(client: FlaskClient, settings: Settings) -> None:
    response = post_billing(
        client, billing_transaction_completed("txn_1", "ctm_1", [PRICE], [PRODUCT])
    )
    assert response.status_code == 200
    assert response.json == {"status": "accepted"}
    [envelope] = published(settings)
    assert envelope["message"]["attributes"] == {
        "type": "order.paid",
        "version": "2",
        "idempotency_key": "paid:txn_1",
    }


def test_a_refund_is_published_as_a_revocation(client: FlaskClient, settings: Settings) -> None:
    payload = billing_adjustment("txn_1", "refund", "approved")
    assert post_billing(client, payload).status_code == 200
    [envelope] = published(settings)
    assert envelope["message"]["attributes"]["type"] == "order.revoked"


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/x-www-form-urlencoded", 415), ("", 415)],
)
def test_billing_refuses_other_content_types(
    client: FlaskClient, settings: Settings, content_type: str, status: int
) -> None:
    body, headers = billing_request(
        billing_transaction_completed(), WEBHOOK_SECRET, int(time.time())
    )
    headers["Content-Type"] = content_type
    assert client.post("/webhooks/paddle", data=body, headers=headers).status_code == status
    assert published(settings) == []


def test_a_body_over_one_mebibyte_is_413(client: FlaskClient, settings: Settings) -> None:
    payload = billing_transaction_completed()
    payload["padding"] = "x" * (1024 * 1024)
    response = post_billing(client, payload)
    assert response.status_code == 413
    assert "error" in response.json
    assert published(settings) == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"event_type": "transaction.completed"}', b""],
    ids=["not-json", "array", "no-data", "empty"],
)
def test_signed_but_invalid_events_are_400(
    client: FlaskClient, settings: Settings, body: bytes
) -> None:
    from common.merchants._paddle_billing import sign_billing

    headers = {
        "Content-Type": "application/json",
        "Paddle-Signature": sign_billing(body, WEBHOOK_SECRET, int(time.time())),
    }
    response = client.post("/webhooks/paddle", data=body, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]
    assert published(settings) == []


def test_an_unknown_product_is_200_logged_and_dead_lettered(
    client: FlaskClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    payload = billing_transaction_completed("txn_x", "ctm_1", ["pri_nobody"], ["pro_nobody"])
    response = post_billing(client, payload)
    assert response.status_code == 200
    assert response.json["status"] == "unknown product"
    assert published(settings) == []
    [letter] = settings.local_data_dir.joinpath("dead-letter").glob("*-unknown-product-txn_x.json")
    assert "pri_nobody" in json.loads(letter.read_text())["reason"]
    assert any(r.levelname == "ERROR" and "pri_nobody" in r.getMessage() for r in caplog.records)


def test_an_unknown_product_that_cannot_be_kept_is_503(
    client: FlaskClient, settings: Settings
) -> None:
    letters = settings.local_data_dir / "dead-letter"
    shutil.rmtree(letters)
    letters.write_text("a file where the dead-letter folder should be")
    payload = billing_transaction_completed("txn_x", "ctm_1", ["pri_nobody"], ["pro_nobody"])
    response = post_billing(client, payload)
    assert response.status_code == 503  # Paddle retries: the order is not lost
    assert "retry" in response.json["error"]


def test_publishing_failure_is_503_so_paddle_retries(
    client: FlaskClient, publisher: LocalPushPublisher
) -> None:
    shutil.rmtree(publisher.spool)
    publisher.spool.write_text("a file where the spool folder should be")
    payload = billing_transaction_completed("txn_1", "ctm_1", [PRICE], [PRODUCT])
    response = post_billing(client, payload)
    assert response.status_code == 503
    assert "retry" in response.json["error"]


def test_ignored_event_types_are_200(client: FlaskClient, settings: Settings) -> None:
    payload = billing_transaction_completed()
    payload["event_type"] = "subscription.created"
    response = post_billing(client, payload)
    assert response.status_code == 200
    assert response.json == {"status": "ignored"}
    assert published(settings) == []


class TestClassic:
    def test_a_genuine_fulfilment_is_published(self, app: Flask, settings: Settings) -> None:
        # The app's key is the deterministic test key, so signing with it verifies.
        form = signed_form(classic_fulfilment(product_id="552312"), rsa_test_key())
        response = app.test_client().post("/webhooks/paddle-classic", data=form)
        assert response.status_code == 200, response.json
        [envelope] = published(settings)
        assert envelope["message"]["attributes"]["type"] == "order.paid"

    def test_the_fulfilment_answer_is_a_sentence_for_the_buyer(self, client: FlaskClient) -> None:
        # Paddle shows the fulfilment webhook's answer to the buyer, as it would a licence key.
        form = signed_form(classic_fulfilment(email="ada.lovelace@example.com"), rsa_test_key())
        response = client.post("/webhooks/paddle-classic", data=form)
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        text = response.get_data(as_text=True)
        assert text == (
            "Thank you for your order from Practical Books. "
            "Your personal copy is on its way to a…@example.com."
        )

    def test_a_sale_under_an_imprint_thanks_the_buyer_in_its_name(
        self, settings: Settings, publisher: LocalPushPublisher, tmp_path: Path
    ) -> None:
        imprinted = settings.with_overrides(
            paddle_public_key=public_pem(rsa_test_key()),
            catalog=str(imprint_catalog(tmp_path / "imprint.toml")),
            mail_domains=("example.com", "heldout.example"),
        )
        client = create_app(imprinted, publisher=publisher).test_client()
        form = signed_form(classic_fulfilment(email="ada.lovelace@example.com"), rsa_test_key())
        text = client.post("/webhooks/paddle-classic", data=form).get_data(as_text=True)
        assert text.startswith(f"Thank you for your order from {IMPRINT_NAME}. ")

    def test_an_unknown_product_still_answers_the_buyer_in_words(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        form = signed_form(classic_fulfilment(product_id="999999"), rsa_test_key())
        response = client.post("/webhooks/paddle-classic", data=form)
        assert (response.status_code, response.mimetype) == (200, "text/plain")
        assert "Practical Books" in response.text and "{" not in response.text
        assert published(settings) == []

    def test_a_fulfilment_without_the_email_is_kept_and_tells_the_author(
        self, client: FlaskClient, settings: Settings, caplog: pytest.LogCaptureFixture
    ) -> None:
        fields = classic_fulfilment(order_id="4021307-9")
        del fields["email"], fields["customer_name"]
        response = client.post("/webhooks/paddle-classic", data=signed_form(fields, rsa_test_key()))
        assert (response.status_code, response.mimetype) == (200, "text/plain")
        assert "on its way" in response.text and "@" not in response.text
        [envelope] = published(settings)
        message = parse_envelope(envelope).message
        assert isinstance(message, OrderPaid) and message.buyer is None
        [warning] = [
            r for r in caplog.records if r.levelname == "WARNING" and r.name == "service.webhooks"
        ]
        assert "webhook editor" in warning.getMessage()
        assert "payment_succeeded" in warning.getMessage()

    def test_alerts_still_answer_json(self, client: FlaskClient, settings: Settings) -> None:
        form = signed_form(classic_payment_succeeded(product_id="552312"), rsa_test_key())
        response = client.post("/webhooks/paddle-classic", data=form)
        assert response.status_code == 200 and response.json == {"status": "accepted"}

    @pytest.mark.parametrize(
        ("alert", "status", "kind"),
        [
            ("payment_dispute_created", "open", "order.revoked"),
            ("payment_dispute_closed", "closed", "order.restored"),
        ],
    )
    def test_disputes_are_published(
        self, client: FlaskClient, settings: Settings, alert: str, status: str, kind: str
    ) -> None:
        form = signed_form(classic_dispute(alert_name=alert, status=status), rsa_test_key())
        assert client.post("/webhooks/paddle-classic", data=form).status_code == 200
        [envelope] = published(settings)
        assert envelope["message"]["attributes"]["type"] == kind

    def test_json_is_415(self, client: FlaskClient, settings: Settings) -> None:
        response = client.post("/webhooks/paddle-classic", json={"p_signature": "x"})
        assert response.status_code == 415
        assert published(settings) == []

    def test_a_form_signed_by_another_key_is_401(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        form = signed_form(classic_fulfilment(), rsa_test_key("someone else"))
        response = client.post("/webhooks/paddle-classic", data=form)
        assert response.status_code == 401
        assert response.json["error"]
        assert published(settings) == []

    def test_without_a_public_key_classic_is_404(
        self, settings: Settings, publisher: LocalPushPublisher
    ) -> None:
        client = create_app(settings, publisher=publisher).test_client()
        form = signed_form(classic_fulfilment(), rsa_test_key())
        assert client.post("/webhooks/paddle-classic", data=form).status_code == 404


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.one_of(st.none(), st.text(max_size=200)),
    body=st.binary(max_size=2048),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/json; charset=utf-8"]
    ),
)
def test_random_requests_never_get_a_5xx(
    client: FlaskClient, settings: Settings, header: str | None, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type}
    if header is not None and header.isprintable() and header.isascii():
        headers["Paddle-Signature"] = header
    response = client.post("/webhooks/paddle", data=body, headers=headers)
    assert response.status_code < 500
    assert "error" in response.json


def test_billing_body_builder_is_compact() -> None:
    assert b" " not in billing_body({"a": [1, 2]})


def test_every_answer_is_json_even_for_unknown_routes(client: FlaskClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404
    assert response.json == {"error": response.json["error"]}


@pytest.mark.parametrize("order_id", ["../../etc/passwd", "..", "ord 1", "x" * 129, "ord/1"])
def test_a_signed_sale_whose_order_id_cannot_name_files_is_400_and_not_published(
    client: FlaskClient, settings: Settings, order_id: str
) -> None:
    payload = billing_transaction_completed(order_id, "ctm_1", [PRICE], [PRODUCT])
    response = post_billing(client, payload)
    assert response.status_code == 400
    assert "order_id must be" in response.json["error"]
    assert published(settings) == []


def test_a_merchant_that_is_not_turned_on_is_404(client: FlaskClient, settings: Settings) -> None:
    body, signed = billing_request({"event_type": "x"}, WEBHOOK_SECRET, int(time.time()))
    for name in ("stripe", "nobody", "Paddle"):
        response = client.post(f"/webhooks/{name}", data=body, headers=signed)
        assert response.status_code == 404
        assert "no merchant" in response.json["error"]
    assert published(settings) == []


def test_a_refused_webhook_is_logged_as_the_event_monitoring_counts_per_store(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """terraform/monitoring.tf's webhooks_rejected counts jsonPayload.event by .source."""
    payload = billing_transaction_completed("txn_1", "ctm_1", [PRICE], [PRODUCT])
    response = post_billing(client, payload, **{"Paddle-Signature": "ts=1;h1=" + "0" * 64})
    assert response.status_code == 401
    [refused] = [r for r in caplog.records if getattr(r, "event", None) == "webhook_rejected"]
    assert (refused.source, refused.status) == ("paddle", 401)
