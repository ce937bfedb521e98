"""A Shopify sale through the whole shop in one process: signed webhook → service → worker.

Shopify delivers at least once: it retries a delivery with the same payload and
headers (shopify.dev/changelog/updates-to-webhook-retry-mechanism), sends one
delivery per subscription of a topic (shopify.dev/docs/apps/build/webhooks/
ignore-duplicates), and retries run in parallel with the next attempt of a slow
answer, and a retried sale can land after its refund. Whatever arrives, the buyer
gets one mail; a refund closes the link.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask

from common.messages import Message, push_envelope
from common.settings import Settings
from service.app import create_app as create_service
from tests.support.inprocess import SUBSCRIPTION
from tests.support.pdfs import book
from tests.support.shopify_payloads import (
    ORDER_ID,
    for_another_subscription,
    orders_paid,
    refunds_create,
    retried,
    shopify_catalog,
    shopify_request,
)
from worker.app import create_app as create_worker
from worker.mail._outbox import download_links, read_mail

SECRET = "shpss_pipeline-test-secret"
ORDER = f"shopify-{ORDER_ID}"


class PushEach:
    """Pushes each message to the worker app on a test client of its own (threads may share it).

    A 5xx is Pub/Sub's cue to redeliver, so it pushes again, as many times as `attempts`;
    what is still refused waits in `waiting` for `redeliver`, as Pub/Sub keeps retrying.
    """

    def __init__(self, worker: Flask, attempts: int = 3) -> None:
        self.worker, self.attempts = worker, attempts
        self.statuses: list[int] = []
        self.waiting: list[Message] = []
        self._lock = threading.Lock()

    def publish(self, message: Message) -> str:
        with self._lock:
            message_id = f"m-{len(self.statuses) + 1}"
        for _ in range(self.attempts):
            envelope = push_envelope(message, message_id, SUBSCRIPTION)
            status = self.worker.test_client().post("/pubsub/push", json=envelope).status_code
            with self._lock:
                self.statuses.append(status)
            if status < 500:
                return message_id
        with self._lock:
            self.waiting.append(message)
        return message_id

    def redeliver(self) -> None:
        waiting, self.waiting = self.waiting, []
        for message in waiting:
            self.publish(message)


class Shop:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pusher = PushEach(create_worker(settings))
        self.service = create_service(settings, publisher=self.pusher)

    def deliver(self, body: bytes, headers: dict[str, str]) -> int:
        client = self.service.test_client()
        return client.post("/webhooks/shopify", data=body, headers=headers).status_code

    def mails(self) -> list:
        outbox = self.settings.local_data_dir / "outbox"
        return [read_mail(p) for p in sorted(outbox.glob("*.eml"))]


@pytest.fixture
def shop(settings: Settings, sample_epub: bytes, tmp_path: Path) -> Shop:
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(book(3))
    (originals / "practical-python.epub").write_bytes(sample_epub)
    catalog = shopify_catalog(tmp_path)
    return Shop(settings.with_overrides(catalog=str(catalog), shopify_webhook_secrets=(SECRET,)))


def test_one_signed_sale_mails_the_buyer_once(shop: Shop) -> None:
    assert shop.deliver(*shopify_request(orders_paid(), SECRET)) == 200
    [mail] = shop.mails()
    assert mail["X-Exlibris-Order"] == ORDER
    assert [a.addr_spec for a in mail["To"].addresses] == ["jon@doe.ca"]
    assert len(download_links(mail)) == 2  # the PDF and the EPUB


def test_a_retried_delivery_mails_nothing_more(shop: Shop) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    assert shop.deliver(body, headers) == 200
    assert shop.deliver(body, retried(headers)) == 200
    assert len(shop.mails()) == 1


def test_a_second_subscription_s_delivery_mails_nothing_more(shop: Shop) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    assert shop.deliver(body, headers) == 200
    assert shop.deliver(body, for_another_subscription(headers)) == 200
    assert len(shop.mails()) == 1


def test_parallel_deliveries_of_one_sale_mail_once(shop: Shop) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    copies = [headers, retried(headers), for_another_subscription(headers)] * 2
    statuses: list[int] = []
    start = threading.Barrier(len(copies))

    def deliver(these: dict[str, str]) -> None:
        start.wait()
        statuses.append(shop.deliver(body, these))

    threads = [threading.Thread(target=deliver, args=(h,)) for h in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(copies)
    assert len(shop.mails()) == 1


def test_a_refund_closes_the_buyer_s_link(shop: Shop) -> None:
    assert shop.deliver(*shopify_request(orders_paid(variant_ids=(808950810, None)), SECRET)) == 200
    [mail] = shop.mails()
    link = download_links(mail)[0]
    page = shop.service.test_client().get(link[link.index("/d/") :])
    assert page.status_code == 200
    refund = refunds_create(line_item_ids=(866550311766439020,))
    assert shop.deliver(*shopify_request(refund, SECRET, "refunds/create")) == 200
    gone = shop.service.test_client().get(link[link.index("/d/") :])
    assert gone.status_code == 410


def test_a_refund_of_shipping_only_leaves_the_link_open(shop: Shop) -> None:
    assert shop.deliver(*shopify_request(orders_paid(), SECRET)) == 200
    link = download_links(shop.mails()[0])[0]
    refund = refunds_create(line_item_ids=())
    assert shop.deliver(*shopify_request(refund, SECRET, "refunds/create")) == 200
    assert shop.service.test_client().get(link[link.index("/d/") :]).status_code == 200


def test_a_refund_delivered_before_its_sale_still_closes_the_link(shop: Shop) -> None:
    # A failed orders/paid is retried for hours (shopify.dev/changelog/updates-to-webhook-
    # retry-mechanism) while the refund's own delivery may already have succeeded.
    refund = refunds_create(line_item_ids=(866550311766439020,))
    assert shop.deliver(*shopify_request(refund, SECRET, "refunds/create")) == 200
    assert len(shop.pusher.waiting) == 1  # the worker has no order to refund yet
    assert shop.deliver(*shopify_request(orders_paid(), SECRET)) == 200
    link = download_links(shop.mails()[0])[0]
    shop.pusher.redeliver()  # Pub/Sub's next attempt at the refund
    assert shop.pusher.waiting == []
    assert shop.service.test_client().get(link[link.index("/d/") :]).status_code == 410


def test_a_refund_of_a_line_item_that_delivered_no_book_leaves_the_link_open(
    shop: Shop, settings: Settings
) -> None:
    """A mixed cart: the book and a T-shirt (a variant the catalog does not sell)."""
    assert shop.deliver(*shopify_request(orders_paid(variant_ids=(808950810, 4242)), SECRET)) == 200
    link = download_links(shop.mails()[0])[0]
    refund = refunds_create(line_item_ids=(141249953214522974,), variant_ids=(4242,))
    assert shop.deliver(*shopify_request(refund, SECRET, "refunds/create")) == 200
    assert shop.pusher.waiting == []
    assert not list((settings.local_data_dir / "dead-letter").glob("*.json"))
    assert shop.service.test_client().get(link[link.index("/d/") :]).status_code == 200
