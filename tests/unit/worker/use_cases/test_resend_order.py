"""The worker's re-send of one order (ResendRequested), through its push route."""

from __future__ import annotations

import json

from common.messages import ResendRequested
from common.orders import save_record
from tests.support.shop import Shop
from worker.mail._outbox import download_links


def resend(order_id: str, request_id: str = "req-1") -> ResendRequested:
    return ResendRequested(order_id, request_id, "2026-04-01T00:00:00Z")


def test_the_order_is_mailed_fresh_links_at_its_own_address_once(shop: Shop) -> None:
    shop.buy("552312-1")
    shop.publisher.publish(resend("552312-1"))
    shop.publisher.publish(resend("552312-1"))  # a redelivery

    delivery, again = shop.mails()
    assert again["Subject"] == "Fresh download links for Practical Python Projects"
    assert again["To"] == "Ada Lovelace <ada@example.com>"
    assert len(download_links(again)) == len(download_links(delivery)) == 2  # PDF and EPUB
    record = shop.record("552312-1")
    assert [(m.kind, m.provider_id) for m in record.mails][-1] == (
        "links-resent",
        again["Message-ID"],
    )
    assert len(record.mails) == 2


def test_each_request_mails_once(shop: Shop) -> None:
    shop.buy("552312-1")
    shop.publisher.publish(resend("552312-1", "req-1"))
    shop.publisher.publish(resend("552312-1", "req-2"))
    assert len(shop.mails()) == 3
    assert [m.kind for m in shop.record("552312-1").mails] == [
        "delivery",
        "links-resent",
        "links-resent",
    ]


def test_a_revoked_order_gets_nothing(shop: Shop) -> None:
    shop.buy("552312-1")
    record = shop.record("552312-1")
    generation = shop.storage.generation(shop.settings.delivery_bucket, "orders/552312-1.json")
    save_record(
        shop.storage, shop.settings.delivery_bucket, record.revoked(reason="r", at="t"), generation
    )
    shop.publisher.publish(resend("552312-1"))
    assert len(shop.mails()) == 1
    assert not shop.publisher.unhandled


def test_an_unknown_order_is_dead_lettered(shop: Shop) -> None:
    shop.publisher.publish(resend("nope-1"))
    assert shop.mails() == []
    [letter] = (shop.settings.local_data_dir / "dead-letter").glob("*.json")
    assert json.loads(letter.read_text())["reason"] == "no order nope-1"


def test_a_retry_after_the_mail_lists_it_without_mailing_again(shop: Shop) -> None:
    """The marker holds the mail's id: a redelivery records a mail the last attempt sent."""
    shop.buy("552312-1")
    marker = "requests/req-9/552312-1"
    shop.storage.write(shop.settings.delivery_bucket, marker, b"<sent-before@x>")
    shop.publisher.publish(resend("552312-1", "req-9"))
    assert len(shop.mails()) == 1
    assert shop.record("552312-1").mails[-1].provider_id == "<sent-before@x>"
