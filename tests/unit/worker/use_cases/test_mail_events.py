"""SendGrid's events about our mails, from the signed POST to the order's record and the console.

The service verifies and publishes; the worker writes each mail's status once,
whatever SendGrid repeats or reorders; a bounce makes the order undeliverable.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.messages import LinksRequested
from common.orders import MailStatus, Status, save_record
from service.app import create_app as create_service
from tests.support.sendgrid_standin import EventWebhook
from tests.support.shop import Shop

NOW = 1_750_000_000


@pytest.fixture
def webhook() -> EventWebhook:
    return EventWebhook(clock=lambda: NOW)


@pytest.fixture
def service(shop: Shop, webhook: EventWebhook) -> FlaskClient:
    settings = shop.settings.with_overrides(sendgrid_event_public_key=webhook.public_key)
    return create_service(settings, publisher=shop.publisher, clock=lambda: NOW).test_client()


def events(shop: Shop, webhook: EventWebhook, *named: tuple[str, int], mail: int = 0) -> list[Any]:
    """Events about the order's `mail`th mail, each (name, seconds after NOW - 600)."""
    record = shop.record("552312-1")
    sent = record.mails[mail]
    return [
        webhook.event(
            name,
            order_id=record.order_id,
            message_id=sent.provider_id,
            kind=sent.kind,
            timestamp=NOW - 600 + at,
        )
        for name, at in named
    ]


def post(service: FlaskClient, webhook: EventWebhook, batch: list[Any], **how: Any) -> int:
    body = json.dumps(batch).encode()
    headers = webhook.headers(body)
    if how.get("unsigned"):
        headers = {"Content-Type": "application/json"}
    if how.get("tamper"):
        body = body.replace(b'"bounce"', b'"delivered"')
    return service.post("/webhooks/sendgrid", data=body, headers=headers).status_code


def test_a_signed_bounce_marks_the_order_undeliverable(
    shop: Shop, service: FlaskClient, webhook: EventWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    shop.buy("552312-1")
    with caplog.at_level(logging.ERROR):
        status = post(service, webhook, events(shop, webhook, ("processed", 0), ("bounce", 5)))
    assert status == 200
    record = shop.record("552312-1")
    assert record.status == Status.MAILED  # the copies exist; the buyer can still use /links
    assert record.mails[0].status == MailStatus.BOUNCED
    assert record.undeliverable
    assert record.history[-1].note.startswith("delivery mail bounced: 550 5.1.1")
    [failed] = [r for r in caplog.records if getattr(r, "event", "") == "mail_failed"]
    assert failed.levelno == logging.ERROR and failed.order_id == "552312-1"  # type: ignore[attr-defined]

    listed = shop.console("orders", "--status", "undeliverable", "--json")
    assert [o["order_id"] for o in json.loads(listed.out)] == ["552312-1"]
    shown = json.loads(shop.console("order", "552312-1", "--json").out)
    assert [m["status"] for m in shown["mails"]] == ["bounced"]


@pytest.mark.parametrize(("how", "code"), [({"unsigned": True}, 401), ({"tamper": True}, 403)])
def test_an_unsigned_or_altered_bounce_changes_nothing(
    shop: Shop, service: FlaskClient, webhook: EventWebhook, how: dict[str, bool], code: int
) -> None:
    shop.buy("552312-1")
    before = shop.record("552312-1")
    published = len(shop.publisher.published)
    assert post(service, webhook, events(shop, webhook, ("bounce", 5)), **how) == code
    assert shop.record("552312-1") == before
    assert len(shop.publisher.published) == published
    assert shop.console("orders", "--status", "undeliverable", "--json").out.strip() == "[]"


def test_repeated_and_reordered_events_are_written_once(
    shop: Shop, service: FlaskClient, webhook: EventWebhook
) -> None:
    shop.buy("552312-1")
    processed, deferred, delivered = events(
        shop, webhook, ("processed", 0), ("deferred", 10), ("delivered", 70)
    )
    repeat = delivered | {"sg_event_id": "a-new-id-for-the-same-event"}  # sendgrid-nodejs#1435
    assert post(service, webhook, [delivered, deferred, processed, repeat]) == 200
    mail = shop.record("552312-1").mails[0]
    assert (mail.status, mail.status_at) == (MailStatus.DELIVERED, NOW - 600 + 70)

    bucket, name = shop.settings.delivery_bucket, "orders/552312-1.json"
    generation = shop.storage.generation(bucket, name)
    assert post(service, webhook, [deferred, delivered, processed]) == 200  # the batch again
    assert shop.storage.generation(bucket, name) == generation  # nothing written
    assert shop.record("552312-1").mails[0].status == MailStatus.DELIVERED


def test_a_bounce_is_logged_once_however_often_it_comes(
    shop: Shop, service: FlaskClient, webhook: EventWebhook, caplog: pytest.LogCaptureFixture
) -> None:
    shop.buy("552312-1")
    batch = events(shop, webhook, ("bounce", 5))
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            assert post(service, webhook, batch) == 200
    assert [getattr(r, "event", "") for r in caplog.records].count("mail_failed") == 1
    assert sum("bounced" in h.note for h in shop.record("552312-1").history) == 1


def test_a_spam_report_after_delivery_is_recorded_but_not_undeliverable(
    shop: Shop, service: FlaskClient, webhook: EventWebhook
) -> None:
    shop.buy("552312-1")
    post(service, webhook, events(shop, webhook, ("delivered", 5), ("spamreport", 900)))
    record = shop.record("552312-1")
    assert record.mails[0].status == MailStatus.SPAM
    assert not record.undeliverable
    assert record.history[-1].note == "delivery mail spam"


def test_buyer_resends_are_listed_and_a_later_delivery_clears_undeliverable(
    shop: Shop, service: FlaskClient, webhook: EventWebhook
) -> None:
    shop.buy("552312-1")
    post(service, webhook, events(shop, webhook, ("dropped", 5)))
    assert shop.record("552312-1").undeliverable
    asked = LinksRequested("ada@example.com", "links-1", "2026-01-01T00:00:00Z")
    shop.publisher.publish(asked)
    shop.publisher.publish(asked)  # a redelivery mails nothing and lists nothing twice
    record = shop.record("552312-1")
    assert [m.kind for m in record.mails] == ["delivery", "links-resent"]
    assert record.mails[1].provider_id == shop.mails()[-1]["Message-ID"]
    assert len(shop.mails()) == 2
    post(service, webhook, events(shop, webhook, ("delivered", 60), mail=1))
    record = shop.record("552312-1")
    assert [m.status for m in record.mails] == [MailStatus.DROPPED, MailStatus.DELIVERED]
    assert not record.undeliverable


def test_events_for_a_mail_not_recorded_yet_are_retried(
    shop: Shop, service: FlaskClient, webhook: EventWebhook
) -> None:
    shop.buy("552312-1")
    batch = events(shop, webhook, ("delivered", 5))
    bucket, name = shop.settings.delivery_bucket, "orders/552312-1.json"
    record = shop.record("552312-1")
    sending = replace(record, status=Status.MAILING, mails=(), mail_claimed_at=NOW)
    save_record(shop.storage, bucket, sending, shop.storage.generation(bucket, name))
    assert post(service, webhook, batch) == 200  # SendGrid's side is done: it is published
    assert shop.publisher.unhandled  # and the worker answered 503, so Pub/Sub redelivers
    save_record(shop.storage, bucket, record, shop.storage.generation(bucket, name))
    shop.publisher.publish(shop.publisher.unhandled.pop())
    assert shop.record("552312-1").mails[0].status == MailStatus.DELIVERED


def test_events_of_unknown_orders_and_other_senders_are_passed_over(
    shop: Shop, service: FlaskClient, webhook: EventWebhook
) -> None:
    stranger = webhook.event("bounce", order_id="never-sold", message_id="x", timestamp=NOW)
    other = {k: v for k, v in stranger.items() if k != "order_id"}
    assert post(service, webhook, [stranger, other]) == 200
    assert not shop.publisher.unhandled


def test_the_route_is_off_without_a_key(shop: Shop, webhook: EventWebhook) -> None:
    service = create_service(shop.settings, publisher=shop.publisher).test_client()
    body = b"[]"
    answer = service.post("/webhooks/sendgrid", data=body, headers=webhook.headers(body))
    assert answer.status_code == 404
    assert "not configured" in answer.get_json()["error"]
