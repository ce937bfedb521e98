"""POST /webhooks/lemonsqueezy through the service app, then the whole flow in one process.

Route tests post signed bytes through Flask's full request stack and read what the
publisher spooled: accepted sales are published, everything refused is not. The
flow tests wire the service into the worker (tests/support/inprocess.py), so one
signed webhook ends as a mail in the outbox, and a refund as a 410 on the buyer's
link. Lemon Squeezy retries a delivery that did not get a 200 (up to three more
times) and the dashboard can resend any webhook: the same bytes arrive again,
sometimes while the first is still being handled.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.merchants._lemonsqueezy import sign_lemonsqueezy
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from service.app import create_app
from tests.support.inprocess import Pipeline, PushToWorker
from tests.support.lemonsqueezy_payloads import (
    SECRET,
    lemonsqueezy_catalog,
    order_created,
    order_refunded,
    signed_request,
    subscription_created,
)
from tests.support.pdfs import book
from worker.app import create_app as create_worker
from worker.mail._outbox import download_links

ROUTE = "/webhooks/lemonsqueezy"
UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"  # discard port: the spool keeps all


@pytest.fixture
def shop(settings: Settings, tmp_path: Path) -> Settings:
    """Settings that sell through Lemon Squeezy only, from a catalog of Lemon Squeezy ids."""
    return settings.with_overrides(
        catalog=str(lemonsqueezy_catalog(tmp_path)),
        lemonsqueezy_webhook_secrets=(SECRET,),
    )


@pytest.fixture
def publisher(settings: Settings) -> LocalPushPublisher:
    return LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1)


def client_for(settings: Settings, publisher: LocalPushPublisher) -> FlaskClient:
    return create_app(settings, publisher=publisher).test_client()


@pytest.fixture
def client(shop: Settings, publisher: LocalPushPublisher) -> FlaskClient:
    return client_for(shop, publisher)


def published(settings: Settings) -> list[dict[str, str]]:
    """The attributes of every message the publisher took, spooled or already dead-lettered.

    The publisher writes the dead letter before it removes the spool file: a file
    that moved between the two listings, or was half-written, means look again.
    """
    data = settings.local_data_dir
    for _ in range(50):
        found: dict[str, dict[str, str]] = {}
        try:
            for path in [*data.glob("spool/*.json"), *data.glob("dead-letter/*.json")]:
                if "-unknown-product-" not in path.name:
                    message = json.loads(path.read_text())["message"]
                    found[message["messageId"]] = message["attributes"]
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.02)
            continue
        return list(found.values())
    raise AssertionError("the spool kept changing")


def post(client: FlaskClient, payload: dict[str, Any], **headers: str):
    body, signed = signed_request(payload)
    return client.post(ROUTE, data=body, headers={**signed, **headers})


# The route --------------------------------------------------------------------------


def test_a_signed_sale_is_published(client: FlaskClient, settings: Settings) -> None:
    response = post(client, order_created("1842701"))
    assert (response.status_code, response.json) == (200, {"status": "accepted"})
    assert published(settings) == [
        {"type": "order.paid", "version": "2", "idempotency_key": "paid:lemonsqueezy-1842701"}
    ]


def test_a_full_refund_is_published_as_a_revocation(
    client: FlaskClient, settings: Settings
) -> None:
    assert post(client, order_refunded("1842701")).status_code == 200
    [attributes] = published(settings)
    assert attributes["type"] == "order.revoked"


def test_the_route_is_off_without_a_secret(
    settings: Settings, publisher: LocalPushPublisher, tmp_path: Path
) -> None:
    paddle_only = settings.with_overrides(catalog=str(lemonsqueezy_catalog(tmp_path)))
    response = post(client_for(paddle_only, publisher), order_created())
    assert response.status_code == 404
    assert published(settings) == []


@pytest.mark.parametrize(
    "signature",
    [None, "", "0" * 64, "not-a-digest", "sha256=" + "0" * 64],
    ids=["missing", "empty", "forged", "malformed", "prefixed"],
)
def test_a_bad_signature_is_401_and_nothing_is_published(
    client: FlaskClient, settings: Settings, signature: str | None
) -> None:
    body, headers = signed_request(order_created())
    del headers["X-Signature"]
    if signature is not None:
        headers["X-Signature"] = signature
    response = client.post(ROUTE, data=body, headers=headers)
    assert response.status_code == 401
    assert response.json["error"]
    assert published(settings) == []


def test_a_body_signed_under_another_secret_is_401(client: FlaskClient, settings: Settings) -> None:
    body, headers = signed_request(order_created(), "someone-elses-secret")
    assert client.post(ROUTE, data=body, headers=headers).status_code == 401
    assert published(settings) == []


def _mismatched(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return signed_request(payload, event_name="subscription_created")


def _bad_order_id(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    payload["data"]["id"] = "../../orders/x"
    return signed_request(payload)


def _two_addresses(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    payload["data"]["attributes"]["user_email"] = "m@example.com, x@evil.example"
    return signed_request(payload)


def _not_json(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    _, headers = signed_request(payload)
    return b"{not json", {**headers, "X-Signature": sign_lemonsqueezy(b"{not json", SECRET)}


@pytest.mark.parametrize(
    "build",
    [_mismatched, _bad_order_id, _two_addresses, _not_json],
    ids=["event-name-mismatch", "order-id", "two-addresses", "not-json"],
)
def test_signed_but_invalid_is_400_and_nothing_is_published(
    client: FlaskClient, settings: Settings, build
) -> None:
    body, headers = build(order_created())
    response = client.post(ROUTE, data=body, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]
    assert published(settings) == []


def test_another_content_type_is_415(client: FlaskClient, settings: Settings) -> None:
    response = post(client, order_created(), **{"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert published(settings) == []


@pytest.mark.parametrize(
    "payload",
    [order_created(status="pending"), order_refunded(amount=500), subscription_created()],
    ids=["pending", "partial-refund", "subscription"],
)
def test_ignored_events_are_200_and_not_published(
    client: FlaskClient, settings: Settings, payload: dict[str, Any]
) -> None:
    response = post(client, payload)
    assert (response.status_code, response.json) == (200, {"status": "ignored"})
    assert published(settings) == []


@pytest.fixture
def live_only(shop: Settings, publisher: LocalPushPublisher) -> FlaskClient:
    """A shop that refuses test-mode sales. A fixture: create_app replaces the root
    logger's handlers, so it must run before pytest adds its capturing handler."""
    return client_for(shop.with_overrides(lemonsqueezy_allow_test=False), publisher)


def test_a_refused_test_sale_is_200_logged_and_not_published(
    live_only: FlaskClient, settings: Settings, caplog
) -> None:
    caplog.set_level(logging.INFO)
    response = post(live_only, order_created(test_mode=True))
    assert (response.status_code, response.json) == (200, {"status": "ignored"})
    assert published(settings) == []
    assert any(
        r.levelno == logging.WARNING and "test-mode" in r.getMessage() for r in caplog.records
    )


def test_an_unknown_variant_is_200_and_kept_for_the_author(
    client: FlaskClient, settings: Settings
) -> None:
    response = post(client, order_created(variant_id=999999))
    assert response.status_code == 200
    assert response.json["status"] == "unknown product"
    assert published(settings) == []


# The whole flow ---------------------------------------------------------------------


class PerCallWorker:
    """The worker app, a fresh test client per push, so parallel webhooks push in parallel."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def post(self, *args: Any, **kwargs: Any):
        return self.app.test_client().post(*args, **kwargs)


@pytest.fixture
def flow(shop: Settings, sample_epub: bytes) -> Pipeline:
    originals = shop.local_data_dir / "storage" / shop.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(book(3))
    (originals / "practical-python.epub").write_bytes(sample_epub)
    publisher = PushToWorker(PerCallWorker(create_worker(shop)))  # type: ignore[arg-type]
    service = create_app(shop, publisher=publisher)
    return Pipeline(shop, service.test_client(), publisher.worker, publisher)  # type: ignore[arg-type]


def deliver(flow: Pipeline, payload: dict[str, Any]) -> int:
    body, headers = signed_request(payload)
    return flow.service.post(ROUTE, data=body, headers=headers).status_code


def test_one_signed_sale_mails_its_buyer_once(flow: Pipeline) -> None:
    assert deliver(flow, order_created("1842701", name="Ada Lovelace")) == 200
    [mail] = flow.mails()
    assert mail["X-Exlibris-Order"] == "lemonsqueezy-1842701"
    assert mail["To"].addresses[0].addr_spec == "ada@example.com"
    assert flow.publisher.statuses == [204]  # handled


def test_a_redelivery_sends_no_second_mail(flow: Pipeline) -> None:
    payload = order_created("1842702")
    assert [deliver(flow, payload) for _ in range(4)] == [200] * 4  # the first try + 3 retries
    assert len(flow.mails()) == 1


def test_parallel_redeliveries_send_one_mail(flow: Pipeline) -> None:
    body, headers = signed_request(order_created("1842703"))
    service: Flask = flow.service.application  # type: ignore[assignment]
    start, statuses = threading.Barrier(4), []

    def post_once() -> None:
        client = service.test_client()
        start.wait()
        statuses.append(client.post(ROUTE, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=post_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    # A worker that found the order claimed by a rival answers 503; Pub/Sub redelivers.
    retried = [
        m for m, s in zip(flow.publisher.messages, flow.publisher.statuses, strict=True) if s >= 500
    ]
    for message in retried:
        flow.publisher.publish(message)
    assert all(s < 300 for s in flow.publisher.statuses[4:]), flow.publisher.statuses
    assert len(flow.mails()) == 1


def test_a_refund_closes_the_buyers_link(flow: Pipeline) -> None:
    assert deliver(flow, order_created("1842704")) == 200
    [mail] = flow.mails()
    link = download_links(mail)[0].split("127.0.0.1:8080", 1)[1]
    assert flow.service.get(link).status_code == 200
    assert deliver(flow, order_refunded("1842704")) == 200
    assert flow.service.get(link).status_code == 410


def test_a_partial_refund_leaves_the_link_open(flow: Pipeline) -> None:
    assert deliver(flow, order_created("1842705")) == 200
    link = download_links(flow.mails()[0]).pop().split("127.0.0.1:8080", 1)[1]
    assert deliver(flow, order_refunded("1842705", amount=300)) == 200
    assert flow.service.get(link).status_code == 200


def test_a_refund_that_overtakes_its_sale_leaves_nothing_to_deliver(flow: Pipeline) -> None:
    # A failed order_created is retried up to 125 s later, after an early refund landed.
    assert deliver(flow, order_refunded("1842706")) == 200
    assert deliver(flow, order_created("1842706")) == 200
    assert flow.mails() == []


@pytest.mark.parametrize(
    "name",
    ["Eve\r\nBcc: x@evil.example", "Ada " * 2500, "Ada\x00Lovelace"],
    ids=["crlf", "huge", "nul"],
)
def test_a_hostile_name_still_gives_one_mail_to_one_address(flow: Pipeline, name: str) -> None:
    assert deliver(flow, order_created("1842707", name=name, email="eve@example.com")) == 200
    [mail] = flow.mails()
    [to] = mail["To"].addresses
    assert to.addr_spec == "eve@example.com"
    assert mail["Bcc"] is None
