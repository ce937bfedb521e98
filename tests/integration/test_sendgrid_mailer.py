"""The SendGrid mailer against a local stand-in of /v3/mail/send: real client, real JSON."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from common.messages import Buyer, OrderPaid, push_envelope
from common.orders import OrderRecord, Status
from common.settings import Settings
from tests.support.http_standin import Reply
from tests.support.sendgrid_standin import SendGridStandIn
from worker.app import create_app as create_worker
from worker.mail import Mail, MailError
from worker.mail.sendgrid import SendGridMailer

MAIL = Mail(
    to="zoe@example.org",
    to_name="Zoë Buyer",
    subject="Your copy of Practical Python Projects",
    text="Hello Zoë, here are your links.",
    html="<p>Hello Zoë, here are your links.</p>",
    order_id="txn_01h",
    category="delivery",
    custom_args={"kind": "paid"},
)


def mailer_for(standin: SendGridStandIn, **overrides) -> tuple[SendGridMailer, list[float]]:
    """A mailer aimed at the stand-in whose sleeps are recorded instead of slept."""
    slept: list[float] = []
    options = {"mail_from": "books@example.com", "from_name": "exlibris", "backoff": 0.5}
    mailer = SendGridMailer(
        standin.api_key, host=standin.url, sleep=slept.append, **{**options, **overrides}
    )
    return mailer, slept


def test_a_mail_is_sent_as_sendgrid_v3_json(sendgrid_standin) -> None:
    mailer, _ = mailer_for(sendgrid_standin)
    message_id = mailer.send(MAIL)
    assert message_id == "standin-1"
    (request,) = sendgrid_standin.requests
    assert request.headers["authorization"] == f"Bearer {sendgrid_standin.api_key}"
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["from"] == {"email": "books@example.com", "name": "exlibris"}
    assert body["personalizations"] == [{"to": [{"email": "zoe@example.org", "name": "Zoë Buyer"}]}]
    assert body["subject"] == MAIL.subject
    assert body["content"] == [
        {"type": "text/plain", "value": MAIL.text},
        {"type": "text/html", "value": MAIL.html},
    ]
    assert body["custom_args"] == {"order_id": "txn_01h", "mail_kind": "delivery", "kind": "paid"}
    assert body["categories"] == ["delivery"]
    # Account-level click tracking would rewrite the durable links into SendGrid redirects
    # (which scanners follow too), and open tracking adds a pixel: both off, per message.
    assert body["tracking_settings"] == {
        "click_tracking": {"enable": False, "enable_text": False},
        "open_tracking": {"enable": False},
    }


IMPRINTED = replace(MAIL, from_name="Held Out Press", from_address="books@heldout.example")


def test_an_imprints_mail_is_sent_from_the_imprint() -> None:
    verified = frozenset({"books@example.com", "books@heldout.example"})
    with SendGridStandIn(verified_senders=verified) as standin:
        mailer, _ = mailer_for(standin)
        mailer.send(IMPRINTED)
        mailer.send(MAIL)
        first, second = (request.json()["from"] for request in standin.requests)
    assert first == {"email": "books@heldout.example", "name": "Held Out Press"}
    assert second == {"email": "books@example.com", "name": "exlibris"}


def test_an_imprint_sender_sendgrid_has_not_verified_is_named_in_the_error() -> None:
    with SendGridStandIn() as standin:
        mailer, _ = mailer_for(standin)
        with pytest.raises(MailError, match=r"the sender books@heldout\.example .* not verified"):
            mailer.send(IMPRINTED)
        assert standin.mails == []


def test_the_mail_s_language_goes_out_as_its_content_language(sendgrid_standin) -> None:
    mailer, _ = mailer_for(sendgrid_standin)
    mailer.send(replace(MAIL, language="fr"))
    mailer.send(MAIL)  # a mail of no stated language sends no such header
    french, unstated = (r.json() for r in sendgrid_standin.requests)
    assert french["headers"] == {"Content-Language": "fr"}
    assert "headers" not in unstated
    assert len(sendgrid_standin.mails) == 2  # accepted: not one of SendGrid's reserved headers


def test_the_standin_refuses_a_reserved_header_as_sendgrid_does(sendgrid_standin) -> None:
    body = SendGridMailer(
        sendgrid_standin.api_key, host=sendgrid_standin.url, mail_from="books@example.com"
    ).request_body(MAIL)
    reply = requests.post(
        f"{sendgrid_standin.url}/v3/mail/send",
        json={**body, "headers": {"Reply-To": "someone@example.org"}},
        headers={"Authorization": f"Bearer {sendgrid_standin.api_key}"},
        timeout=10,
    )
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["message"] == "Header can not be one of the reserved keys."


def test_a_5xx_is_retried_with_backoff_and_one_mail_goes_out(sendgrid_standin) -> None:
    sendgrid_standin.script(Reply(500, {"errors": [{"message": "internal"}]}))
    mailer, slept = mailer_for(sendgrid_standin)
    assert mailer.send(MAIL) == "standin-1"
    assert len(sendgrid_standin.requests) == 2
    assert len(sendgrid_standin.mails) == 1
    assert slept == [0.5]


def test_backoff_grows_exponentially_then_the_failure_is_transient(sendgrid_standin) -> None:
    sendgrid_standin.script(*[Reply(503)] * 4)
    mailer, slept = mailer_for(sendgrid_standin, attempts=4)
    with pytest.raises(MailError) as failure:
        mailer.send(MAIL)
    assert failure.value.transient
    assert "503" in str(failure.value)
    assert slept == [0.5, 1.0, 2.0]
    assert sendgrid_standin.mails == []


def test_a_429_waits_until_the_rate_limit_resets(sendgrid_standin) -> None:
    reset = int(time.time()) + 7
    sendgrid_standin.script(
        Reply(
            429, {"errors": [{"message": "too many requests"}]}, {"X-RateLimit-Reset": str(reset)}
        )
    )
    mailer, slept = mailer_for(sendgrid_standin)
    assert mailer.send(MAIL) == "standin-1"
    assert len(sendgrid_standin.mails) == 1
    (wait,) = slept
    assert 5.0 < wait <= 7.0


def test_a_far_rate_limit_reset_is_capped(sendgrid_standin) -> None:
    far = str(int(time.time()) + 3600)
    sendgrid_standin.script(Reply(429, headers={"X-RateLimit-Reset": far}))
    mailer, slept = mailer_for(sendgrid_standin, max_wait=20.0)
    mailer.send(MAIL)
    assert slept == [20.0]


def test_a_refusal_of_the_mail_is_permanent_with_sendgrid_text_and_never_the_key(
    sendgrid_standin,
) -> None:
    message = f"refused; key {sendgrid_standin.api_key} is not welcome here"
    sendgrid_standin.script(Reply(400, {"errors": [{"message": message, "field": None}]}))
    mailer, slept = mailer_for(sendgrid_standin)
    with pytest.raises(MailError) as failure:
        mailer.send(MAIL)
    assert not failure.value.transient
    assert "400" in str(failure.value)
    assert "is not welcome here" in str(failure.value)
    assert sendgrid_standin.api_key not in str(failure.value)
    assert failure.value.__cause__ is None  # the client's exception (and its request) stays out
    assert slept == []
    assert len(sendgrid_standin.requests) == 1


CONFIGURATION = {
    "wrong key": ("SG.wrong", "books@example.com", "401", "SENDGRID_API_KEY"),
    "key without mail send": ("SG.read-only", "books@example.com", "403", "Mail Send"),
    "unverified sender": ("SG.test-key", "shop@unverified.example", "403", "MAIL_FROM"),
}


@pytest.mark.parametrize(
    ("key", "sender", "status", "cause"), CONFIGURATION.values(), ids=CONFIGURATION.keys()
)
def test_a_configuration_error_is_logged_once_and_retried_as_transient(
    caplog: pytest.LogCaptureFixture, key: str, sender: str, status: str, cause: str
) -> None:
    with SendGridStandIn(keys_without_mail_send=frozenset({"SG.read-only"})) as standin:
        mailer = SendGridMailer(key, host=standin.url, mail_from=sender, sleep=lambda s: None)
        for _ in range(3):
            with pytest.raises(MailError) as failure:
                mailer.send(MAIL)
            # Fixed in SendGrid's settings, not in the mail: the order must wait, not die.
            assert failure.value.transient and not failure.value.maybe_sent
            assert status in str(failure.value) and cause in str(failure.value)
            assert key not in str(failure.value)
        assert len(standin.requests) == 3  # no retries within a send: they cannot help
        assert standin.mails == []
    errors = [
        r for r in caplog.records if r.levelname == "ERROR" and r.name == "worker.mail.sendgrid"
    ]
    assert len(errors) == 1
    assert cause in errors[0].getMessage() and key not in errors[0].getMessage()


def test_the_standin_rate_limits_as_sendgrid_and_the_mailer_waits_for_the_reset() -> None:
    ahead = [0.0]  # how far the stand-in's clock runs ahead: the mailer's sleeps, not slept
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        ahead[0] += seconds + 1

    with SendGridStandIn(rate_limit=1, clock=lambda: time.time() + ahead[0]) as standin:
        mailer = SendGridMailer(
            standin.api_key,
            host=standin.url,
            mail_from="books@example.com",
            sleep=sleep,
            max_wait=120,
        )
        assert mailer.send(MAIL) == "standin-1"
        assert mailer.send(MAIL) == "standin-2"
    statuses = [r.path for r in standin.requests]
    assert len(statuses) == 3  # the second mail: 429, wait until X-RateLimit-Reset, 202
    assert len(standin.mails) == 2
    [wait] = slept
    assert 0 < wait <= 60


def test_an_invalid_mail_is_refused_by_the_standin_as_sendgrid_would(sendgrid_standin) -> None:
    mailer, _ = mailer_for(sendgrid_standin)
    with pytest.raises(MailError) as failure:
        mailer.send(Mail(**{**MAIL.__dict__, "subject": ""}))
    assert not failure.value.transient
    assert "subject is required" in str(failure.value)


def test_an_unreachable_sendgrid_is_transient_and_nothing_was_sent() -> None:
    with SendGridStandIn() as standin:
        url = standin.url
    mailer = SendGridMailer("SG.key", host=url, mail_from="b@example.com", sleep=lambda s: None)
    with pytest.raises(MailError) as failure:
        mailer.send(MAIL)
    assert failure.value.transient and not failure.value.maybe_sent
    assert "SG.key" not in str(failure.value)


def test_a_slow_sendgrid_is_not_asked_twice(sendgrid_standin) -> None:
    # SendGrid got the request and may accept it after we stopped waiting: a second
    # POST could mail the buyer twice, so the mailer reports "maybe sent" instead.
    sendgrid_standin.script(*[Reply(202, delay=1.0)] * 2)
    mailer, _ = mailer_for(sendgrid_standin, timeout=0.2, attempts=4)
    with pytest.raises(MailError) as failure:
        mailer.send(MAIL)
    assert failure.value.transient and failure.value.maybe_sent
    assert len(sendgrid_standin.requests) == 1


def test_a_configuration_error_leaves_the_order_stamped_for_the_next_delivery(
    settings: Settings, originals: Path
) -> None:
    paid = OrderPaid(
        "552312-3",
        ("paddle:552312",),
        "e-3",
        "2025-06-15T12:00:00Z",
        "paddle",
        "classic",
        Buyer("Ada", "a@b.co"),
    )
    envelope = push_envelope(paid, "m-1", "projects/p/subscriptions/orders-push")
    with SendGridStandIn() as standin:
        wrong = SendGridMailer("SG.wrong", host=standin.url, mail_from="books@example.com")
        worker = create_worker(settings, mailer=wrong).test_client()
        assert worker.post("/pubsub/push", json=envelope).status_code == 503  # Pub/Sub retries
        path = settings.local_data_dir / "storage" / settings.delivery_bucket
        record = OrderRecord.from_json((path / "orders/552312-3.json").read_bytes())
        assert (record.status, record.mail_claimed_at) == (Status.STAMPED, 0.0)
        assert not list((settings.local_data_dir / "dead-letter").glob("*.json"))

        fixed = SendGridMailer(standin.api_key, host=standin.url, mail_from="books@example.com")
        worker = create_worker(settings, mailer=fixed).test_client()
        assert worker.post("/pubsub/push", json=envelope).status_code == 204
        assert len(standin.mails) == 1
