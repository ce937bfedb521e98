"""Stripe end to end in one process: signed events → service route → worker → outbox and links.

The route tests post to the service app and record what it publishes. The flow
tests wire the service to a worker (tests/support/inprocess.py) whose line items
come from a stand-in of Stripe's API (tests/support/stripe_standin.py), built by
the worker's own bootstrap from STRIPE_API_KEY and STRIPE_API_URL. Stripe
redelivers, duplicates and reorders events (docs.stripe.com/webhooks), so the
tests post the same event again, from several threads at once, and a refund
before its sale.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.messages import Message, OrderPaid, PaymentRevoked, push_envelope
from common.orders import OrderRecord, Status, payment_index_name
from common.settings import Settings
from service.app import create_app as create_service
from tests.support.inprocess import Pipeline, pipeline
from tests.support.pdfs import book
from tests.support.stripe_payloads import charge, dispute, event, session, stripe_request
from tests.support.stripe_standin import API_KEY, StripeStandIn
from worker.app import create_app as create_worker
from worker.mail._outbox import download_links

SECRET = "whsec_exlibris_flow_test_secret_000000000"
PRICE, PRODUCT = "price_1PracticalPython000000", "prod_PracticalPython0"
SESSION = "cs_test_b1PracticalPythonSession000000000000000000000000000000000"
PAYMENT = "pi_3PracticalPythonPayment0"
CATALOG = f"""
[products.practical-python]
ids = ["stripe:{PRICE}"]
title = "Practical Python Projects"
files = [{{ source = "practical-python.pdf", stamp = true, skip_pages = 1 }}]
"""


def signed(payload: dict[str, Any], *, lower: bool = False) -> tuple[bytes, dict[str, str]]:
    return stripe_request(payload, SECRET, int(time.time()), lower=lower)


def post(client: FlaskClient, payload: dict[str, Any], **kwargs: Any):
    body, headers = signed(payload, **kwargs)
    return client.post("/webhooks/stripe", data=body, headers=headers)


def sale(kind: str = "checkout.session.completed", **kwargs: Any) -> dict[str, Any]:
    fields = {"payment_intent": PAYMENT} | kwargs
    return event(kind, session(SESSION, **fields))


@pytest.fixture
def shop(settings: Settings, tmp_path: Path) -> Settings:
    """Stripe on, selling the sample PDF as stripe:PRICE from a catalog in tmp_path."""
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG)
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(book(3))
    return settings.with_overrides(stripe_webhook_secrets=(SECRET,), catalog=str(catalog))


# --- the route ----------------------------------------------------------------------------


class Recorder:
    """The publisher port, keeping what it was given."""

    def __init__(self) -> None:
        self.published: list[Message] = []

    def publish(self, message: Message) -> str:
        self.published.append(message)
        return f"m-{len(self.published)}"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def service(shop: Settings, recorder: Recorder) -> FlaskClient:
    return create_service(shop, publisher=recorder).test_client()


def test_a_signed_sale_is_published_without_a_catalog_check(service, recorder):
    response = post(service, sale())
    assert (response.status_code, response.json) == (200, {"status": "accepted"})
    [paid] = recorder.published
    assert isinstance(paid, OrderPaid)
    assert (paid.order_id, paid.lookup_ref, paid.payment_ref) == (
        f"stripe-{SESSION}",
        SESSION,
        PAYMENT,
    )


def test_lower_case_headers_are_read(service, recorder):
    assert post(service, sale(), lower=True).status_code == 200
    assert len(recorder.published) == 1


def test_a_full_refund_is_published_as_a_payment_revocation(service, recorder):
    assert post(service, event("charge.refunded", charge(PAYMENT))).status_code == 200
    [revoked] = recorder.published
    assert isinstance(revoked, PaymentRevoked) and revoked.payment_ref == PAYMENT


@pytest.mark.parametrize(
    "payload",
    [
        sale(payment_status="unpaid"),
        event("charge.refunded", charge(PAYMENT, amount_refunded=100)),
        event("charge.dispute.closed", dispute(PAYMENT, status="lost")),
        event("customer.created", {"id": "cus_1", "object": "customer"}),
    ],
    ids=["unpaid", "partial refund", "dispute lost", "other event"],
)
def test_what_asks_nothing_is_answered_ignored(service, recorder, payload):
    response = post(service, payload)
    assert (response.status_code, response.json) == (200, {"status": "ignored"})
    assert recorder.published == []


def test_merchant_off_is_404(settings: Settings, recorder: Recorder):
    client = create_service(settings, publisher=recorder).test_client()
    assert post(client, sale()).status_code == 404
    assert recorder.published == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Stripe-Signature": f"t={int(time.time())},v1={'0' * 64}"},
        {"Stripe-Signature": "t=1,v1=abc"},
    ],
    ids=["missing", "forged", "malformed"],
)
def test_a_bad_signature_is_401_and_nothing_is_published(service, recorder, headers):
    body, _ = signed(sale())
    response = service.post(
        "/webhooks/stripe", data=body, headers={"Content-Type": "application/json", **headers}
    )
    assert response.status_code == 401
    assert recorder.published == []


def test_a_stale_signature_is_401(service, recorder):
    body, headers = stripe_request(sale(), SECRET, int(time.time()) - 301)
    assert service.post("/webhooks/stripe", data=body, headers=headers).status_code == 401
    assert recorder.published == []


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "evt_1", "object": "event"},
        event("checkout.session.completed", session("cs_test/../x")),
        event("checkout.session.completed", session(SESSION, email=None, name=None)),
    ],
    ids=["no type", "a path as session", "no buyer email"],
)
def test_signed_but_invalid_is_400_and_nothing_is_published(service, recorder, payload):
    assert post(service, payload).status_code == 400
    assert recorder.published == []


# --- the whole flow -----------------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[StripeStandIn]:
    with StripeStandIn() as standin:
        assert isinstance(standin, StripeStandIn)
        standin.add_session(SESSION, [(PRICE, PRODUCT)])
        yield standin


@pytest.fixture
def live(shop: Settings, api: StripeStandIn) -> Settings:
    return shop.with_overrides(stripe_api_key=API_KEY, stripe_api_url=api.url)


@pytest.fixture
def flow(live: Settings) -> Pipeline:
    return pipeline(live)


def record(settings: Settings, order_id: str = f"stripe-{SESSION}") -> OrderRecord:
    return OrderRecord.from_json(
        (
            settings.local_data_dir
            / "storage"
            / settings.delivery_bucket
            / "orders"
            / f"{order_id}.json"
        ).read_bytes()
    )


def link_path(flow: Pipeline) -> str:
    [mail] = flow.mails()
    return urlsplit(download_links(mail)[0]).path


def test_a_signed_sale_lists_its_line_items_and_mails_once(flow: Pipeline, api: StripeStandIn):
    assert post(flow.service, sale()).status_code == 200
    assert flow.publisher.statuses == [204]
    [mail] = flow.mails()
    assert mail["X-Exlibris-Order"] == f"stripe-{SESSION}"
    assert mail["To"].addresses[0].addr_spec == "ada@example.com"
    stored = record(flow.settings)
    assert stored.status == Status.MAILED
    assert stored.product_ids == (f"stripe:{PRICE}", f"stripe:{PRODUCT}")
    assert (stored.merchant, stored.products) == ("stripe", ("practical-python",))
    [request] = api.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    index = flow.settings.local_data_dir / "storage" / flow.settings.delivery_bucket
    assert (index / payment_index_name("stripe", PAYMENT)).read_text() == f"stripe-{SESSION}"
    assert flow.service.get(link_path(flow)).status_code == 200


def test_the_same_event_delivered_again_mails_nothing(flow: Pipeline):
    payload = sale()
    assert post(flow.service, payload).status_code == 200
    assert post(flow.service, payload).status_code == 200  # Stripe's retry: new t, same event
    assert flow.publisher.statuses == [204, 204]
    assert len(flow.mails()) == 1


def test_parallel_deliveries_mail_once(live: Settings):
    worker = create_worker(live)
    publisher = PushEach(worker)
    service = create_service(live, publisher=publisher)
    body, headers = signed(sale())
    answers = post_concurrently(service, body, headers, count=4)
    assert answers == [200] * 4
    publisher.publish(publisher.messages[0])  # Pub/Sub redelivers whatever answered 5xx
    outbox = live.local_data_dir / "outbox"
    assert len(list(outbox.glob("*.eml"))) == 1
    assert record(live).status == Status.MAILED


def test_an_unpaid_session_waits_for_its_async_payment(flow: Pipeline):
    assert post(flow.service, sale(payment_status="unpaid")).status_code == 200
    assert flow.mails() == [] and flow.publisher.statuses == []
    assert post(flow.service, sale("checkout.session.async_payment_succeeded")).status_code == 200
    assert len(flow.mails()) == 1


def test_an_async_payment_that_failed_mails_nothing(flow: Pipeline):
    post(flow.service, sale(payment_status="unpaid"))
    post(flow.service, sale("checkout.session.async_payment_failed", payment_status="unpaid"))
    assert flow.mails() == [] and flow.publisher.statuses == []


def test_a_full_refund_makes_the_link_410(flow: Pipeline):
    post(flow.service, sale())
    link = link_path(flow)
    assert post(flow.service, event("charge.refunded", charge(PAYMENT))).status_code == 200
    assert flow.publisher.statuses == [204, 204]
    assert flow.service.get(link).status_code == 410
    assert record(flow.settings).revoked_by == "stripe"


def test_a_partial_refund_leaves_the_link_working(flow: Pipeline):
    post(flow.service, sale())
    post(flow.service, event("charge.refunded", charge(PAYMENT, amount_refunded=900)))
    assert flow.service.get(link_path(flow)).status_code == 200


def test_a_dispute_makes_the_link_410_and_a_won_dispute_restores_it(flow: Pipeline):
    post(flow.service, sale())
    link = link_path(flow)
    assert post(flow.service, event("charge.dispute.created", dispute(PAYMENT))).status_code == 200
    assert flow.service.get(link).status_code == 410
    won = event("charge.dispute.closed", dispute(PAYMENT, status="won"))
    assert post(flow.service, won).status_code == 200
    assert flow.publisher.statuses == [204, 204, 204]
    assert flow.service.get(link).status_code == 200
    assert record(flow.settings).status == Status.MAILED
    assert len(flow.mails()) == 1


def test_a_refund_before_its_sale_is_retried_and_then_revokes(flow: Pipeline):
    assert post(flow.service, event("charge.refunded", charge(PAYMENT))).status_code == 200
    assert flow.publisher.statuses == [503]  # no order known for the payment yet: retried
    post(flow.service, sale())
    link = link_path(flow)
    assert flow.service.get(link).status_code == 200
    flow.publisher.publish(flow.publisher.messages[0])  # Pub/Sub's redelivery of the refund
    assert flow.publisher.statuses[-1] == 204
    assert flow.service.get(link).status_code == 410


def test_a_session_stripe_does_not_know_is_dead_lettered(flow: Pipeline, api: StripeStandIn):
    api.sessions.clear()
    assert post(flow.service, sale()).status_code == 200
    assert flow.publisher.statuses == [204]  # acknowledged: kept as a dead letter, not retried
    assert flow.mails() == []
    letters = list((flow.settings.local_data_dir / "dead-letter").glob("*.json"))
    assert len(letters) == 1


def test_line_items_not_in_the_catalog_are_dead_lettered(flow: Pipeline, api: StripeStandIn):
    api.add_session(SESSION, [("price_other", "prod_other")])
    post(flow.service, sale())
    assert flow.publisher.statuses == [204] and flow.mails() == []


# --- helpers for the parallel case ----------------------------------------------------------


class PushEach:
    """Pushes each message to the worker through a fresh test client, safe across threads."""

    def __init__(self, worker: Flask) -> None:
        self.worker = worker
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    def publish(self, message: Message) -> str:
        with self._lock:
            self.messages.append(message)
            message_id = f"m-{len(self.messages)}"
        envelope = push_envelope(message, message_id, "projects/local/subscriptions/orders-push")
        self.worker.test_client().post("/pubsub/push", json=envelope)
        return message_id


def post_concurrently(app: Flask, body: bytes, headers: dict[str, str], count: int) -> list[int]:
    """POST the same signed event from `count` threads at once, a test client each."""
    answers: list[int] = []
    start = threading.Barrier(count)

    def deliver() -> None:
        client = app.test_client()
        start.wait()
        answers.append(client.post("/webhooks/stripe", data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
