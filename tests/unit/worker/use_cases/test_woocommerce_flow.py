"""WooCommerce deliveries through both apps in one process: webhook → service → worker → outbox.

WooCommerce delivers an order once per save (order.created at checkout, then an
order.updated for every status change, note or edit; class-wc-webhook.php), and
its queue may run a delivery twice; nothing it sends is timestamped. So the
worker's per-order idempotency is what keeps a buyer to one mail, and these
tests hold it to that, sequentially and from parallel threads.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from common.messages import Message, push_envelope
from common.orders import OrderRecord, Status
from common.settings import Settings
from service.app import create_app as create_service
from tests.support.inprocess import Pipeline, pipeline
from tests.support.pdfs import book
from tests.support.woocommerce_payloads import SECRET, delivery, order, write_catalog
from worker.app import create_app as create_worker
from worker.mail._outbox import download_links

URL = "/webhooks/woocommerce"
SUBSCRIPTION = "projects/local/subscriptions/orders-push"
ONE_BOOK = [(315, 93, 0)]


@pytest.fixture
def shop(settings: Settings, tmp_path: Path, sample_epub: bytes) -> Settings:
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(book(3))
    (originals / "practical-python.epub").write_bytes(sample_epub)
    return settings.with_overrides(
        woocommerce_webhook_secret=SECRET, catalog=str(write_catalog(tmp_path))
    )


@pytest.fixture
def flow(shop: Settings) -> Pipeline:
    return pipeline(shop)


def post(
    flow: Pipeline,
    status: str = "processing",
    topic: str = "order.updated",
    when: float = 1_490_210_888,
    **changes: Any,
) -> int:
    payload = order(status=status, lines=ONE_BOOK, **changes)
    body, headers = delivery(payload, topic=topic, when=when)
    return flow.service.post(URL, data=body, headers=headers).status_code


def record(flow: Pipeline) -> OrderRecord:
    return OrderRecord.from_json(flow.record_path("woocommerce-727").read_bytes())


def test_one_signed_sale_mails_the_buyer_once(flow: Pipeline) -> None:
    assert post(flow, topic="order.created") == 200
    [mail] = flow.mails()
    assert [a.addr_spec for a in mail["To"].addresses] == ["john.doe@example.com"]
    assert record(flow).status == Status.MAILED
    assert flow.publisher.statuses == [204]


def test_the_same_delivery_repeated_mails_nothing_more(flow: Pipeline) -> None:
    body, headers = delivery(order(lines=ONE_BOOK))
    answers = [flow.service.post(URL, data=body, headers=headers).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert len(flow.mails()) == 1


def test_completed_after_processing_mails_nothing_more(flow: Pipeline) -> None:
    assert post(flow, "processing", "order.created") == 200
    assert post(flow, "completed", when=1_490_300_000) == 200  # a later save: a new delivery id
    assert len(flow.mails()) == 1
    assert all(status < 500 for status in flow.publisher.statuses)


class PushEachOnItsOwn:
    """A publisher for threads: each push gets its own worker test client, statuses kept."""

    def __init__(self, worker: Flask) -> None:
        self.worker = worker
        self.pushed: list[tuple[Message, int]] = []

    def publish(self, message: Message) -> str:
        envelope = push_envelope(message, f"m-{id(message)}", SUBSCRIPTION)
        status = self.worker.test_client().post("/pubsub/push", json=envelope).status_code
        self.pushed.append((message, status))
        return f"m-{id(message)}"


def test_parallel_repeats_of_a_delivery_mail_once(shop: Settings) -> None:
    worker = create_worker(shop)
    publisher = PushEachOnItsOwn(worker)
    service = create_service(shop, publisher=publisher)
    body, headers = delivery(order(lines=ONE_BOOK))
    start, answers = threading.Barrier(8), []

    def deliver() -> None:
        client = service.test_client()
        start.wait()
        answers.append(client.post(URL, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 8
    assert {status for _, status in publisher.pushed} <= {204, 503}  # 503: another holds it
    for message, status in list(publisher.pushed):  # Pub/Sub redelivers what got a 503
        if status == 503:
            publisher.publish(message)
    mails = sorted((shop.local_data_dir / "outbox").glob("*.eml"))
    assert len(mails) == 1


def test_a_refund_makes_the_buyers_link_gone(flow: Pipeline) -> None:
    assert post(flow) == 200
    [mail] = flow.mails()
    link = urlsplit(download_links(mail)[0]).path
    assert flow.service.get(link).status_code == 200
    assert post(flow, "refunded", when=1_490_300_000) == 200
    assert flow.service.get(link).status_code == 410
    assert record(flow).status == Status.REVOKED


def test_a_partial_refund_keeps_the_buyers_link(flow: Pipeline) -> None:
    assert post(flow) == 200
    link = urlsplit(download_links(flow.mails()[0])[0]).path
    partial = [{"id": 726, "reason": "goodwill", "total": "-2.00"}]
    assert post(flow, "completed", when=1_490_300_000, refunds=partial) == 200
    assert flow.service.get(link).status_code == 200
    assert len(flow.mails()) == 1
