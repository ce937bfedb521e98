"""Both apps under gunicorn, mailing through a real SMTP server, and hearing SendGrid's events.

SMTP: aiosmtpd on loopback demands STARTTLS and a login; its certificate is
signed by a test CA the worker trusts through SSL_CERT_FILE, so verification
stays on. Three sales meet a 250, a 451 (then a 250) and a 550: each buyer gets
one mail, the 550 is not retried, and no order is left `mailing`.

SendGrid: the worker mails through the v3 stand-in, which answers each mail with
an X-Message-Id; SendGrid's side then POSTs signed events about it to
/webhooks/sendgrid. A signed bounce marks the order undeliverable; an unsigned
or altered one gets 401/403 and changes nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from common.orders import MailStatus, OrderRecord, Status
from tests.conftest import SAMPLE_CATALOG
from tests.e2e.conftest import CLASSIC_KEY, LiveStack, serving
from tests.support.paddle_payloads import classic_fulfilment, public_pem, signed_form
from tests.support.sendgrid_standin import EventWebhook, SendGridStandIn
from tests.support.smtp_server import PASSWORD, USERNAME, CertificateAuthority, SmtpServer

# Retries fast enough for a test and still longer, in all, than the claim on a mail
# (common/settings.py refuses the opposite): 0.2 s doubling to 2 s, ten deliveries.
FAST_RETRIES = {
    "LOCAL_PUSH_MIN_BACKOFF": "0.2",
    "LOCAL_PUSH_MAX_BACKOFF": "2",
    "MAIL_CLAIM_SECONDS": "5",
}


def classic_env(tmp_path: Path) -> dict[str, str]:
    pem = tmp_path / "paddle-classic.pub"
    pem.write_text(public_pem(CLASSIC_KEY))
    return {"CATALOG": str(SAMPLE_CATALOG), "PADDLE_PUBLIC_KEY": str(pem)}


def sell(live: LiveStack, order_id: str, email: str) -> None:
    fields = classic_fulfilment(order_id=order_id, email=email, customer_name="A Buyer")
    answer = requests.post(
        f"{live.url}/webhooks/paddle-classic",
        data=signed_form(fields, live.classic_key),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def record(live: LiveStack, order_id: str) -> OrderRecord | None:
    path = live.data_dir / "storage" / "exlibris-deliveries" / "orders" / f"{order_id}.json"
    return OrderRecord.from_json(path.read_bytes()) if path.exists() else None


def mailed(live: LiveStack, order_id: str) -> bool:
    found = record(live, order_id)
    return found is not None and found.status == Status.MAILED


def wait_until(check: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the stack did not get there")
        time.sleep(0.2)


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


@pytest.fixture
def smtp(ca: CertificateAuthority) -> Iterator[SmtpServer]:
    with SmtpServer(ca) as server:
        yield server


@pytest.fixture
def smtp_live(
    tmp_path: Path,
    sample_book: bytes,
    sample_epub: bytes,
    ca: CertificateAuthority,
    smtp: SmtpServer,
) -> Iterator[LiveStack]:
    env = classic_env(tmp_path) | FAST_RETRIES
    env |= {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": USERNAME,
        "SMTP_PASSWORD": PASSWORD,
        "SMTP_TIMEOUT": "3",
        "SSL_CERT_FILE": str(ca.ca_pem),  # ssl.create_default_context() trusts the test CA
    }
    with serving(tmp_path, sample_book, sample_epub, env) as stack:
        yield stack


def test_sales_are_mailed_over_smtp_once_through_451_and_550(
    smtp_live: LiveStack, smtp: SmtpServer
) -> None:
    smtp.handler.reply("bea@example.com", "451")  # then 250
    smtp.handler.reply("cyd@example.com", "550")
    for order_id, email in (("s-1", "ada@example.com"), ("s-2", "bea@example.com")):
        sell(smtp_live, order_id, email)
    sell(smtp_live, "s-3", "cyd@example.com")

    def settled() -> bool:
        records = [record(smtp_live, f"s-{n}") for n in (1, 2, 3)]
        return all(r is not None and r.status in (Status.MAILED, Status.STAMPED) for r in records)

    wait_until(settled)
    smtp_live.settle()
    received = [envelope.rcpt_tos[0] for envelope in smtp.received]
    assert sorted(received) == ["ada@example.com", "bea@example.com"]  # each once
    assert smtp.handler.attempts["bea@example.com"] == 2  # the 451 was retried
    assert smtp.handler.attempts["cyd@example.com"] == 1  # the 550 was not
    assert mailed(smtp_live, "s-1") and mailed(smtp_live, "s-2")
    refused = record(smtp_live, "s-3")
    assert refused is not None and refused.status == Status.STAMPED  # claim released, not stuck
    assert refused.history[-1].note == "mail refused"
    [letter] = (smtp_live.data_dir / "dead-letter").glob("*.json")
    assert "550" in json.loads(letter.read_text())["reason"]


def test_a_connection_lost_after_data_is_mailed_again_once_the_claim_is_stale(
    smtp_live: LiveStack, smtp: SmtpServer
) -> None:
    """The outcome is unknown, as with SendGrid's unanswered POST: at least once, never none."""
    smtp.handler.reply("dan@example.com", "drop")
    sell(smtp_live, "s-4", "dan@example.com")
    wait_until(lambda: mailed(smtp_live, "s-4"))
    assert [e.rcpt_tos[0] for e in smtp.received] == ["dan@example.com"] * 2


@pytest.fixture
def sendgrid() -> Iterator[SendGridStandIn]:
    with SendGridStandIn() as standin:
        yield standin


@pytest.fixture
def events() -> EventWebhook:
    return EventWebhook()


@pytest.fixture
def sendgrid_live(
    tmp_path: Path,
    sample_book: bytes,
    sample_epub: bytes,
    sendgrid: SendGridStandIn,
    events: EventWebhook,
) -> Iterator[LiveStack]:
    env = classic_env(tmp_path) | {
        "SENDGRID_API_KEY": sendgrid.api_key,
        "SENDGRID_API_URL": sendgrid.url,
        "SENDGRID_EVENT_PUBLIC_KEY": events.public_key,
    }
    with serving(tmp_path, sample_book, sample_epub, env) as stack:
        yield stack


def test_a_signed_bounce_marks_the_order_undeliverable_and_a_forged_one_does_nothing(
    sendgrid_live: LiveStack, sendgrid: SendGridStandIn, events: EventWebhook
) -> None:
    sell(sendgrid_live, "g-1", "ada@example.com")
    wait_until(lambda: mailed(sendgrid_live, "g-1"))
    url = f"{sendgrid_live.url}/webhooks/sendgrid"
    bounce = events.events_for(sendgrid, 0, "processed", "bounce")

    unsigned = events.post(url, bounce, signed=False)
    altered = events.post(url, bounce, tamper=True)
    assert (unsigned.status_code, altered.status_code) == (401, 403)
    sendgrid_live.settle()
    before = record(sendgrid_live, "g-1")
    assert before is not None and before.mails[0].status == MailStatus.ACCEPTED

    answer = events.post(url, bounce)
    assert answer.status_code == 200, answer.text
    events.post(url, [bounce[1], *events.events_for(sendgrid, 0, "deferred")])  # late, repeated
    sendgrid_live.settle()
    after = record(sendgrid_live, "g-1")
    assert after is not None and after.undeliverable
    assert after.mails[0].status == MailStatus.BOUNCED
    assert sum("bounced" in h.note for h in after.history) == 1
