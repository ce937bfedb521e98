"""A worker SIGKILLed while it mails an order: the embedded stack still sends one mail.

Both apps run under gunicorn (demo/stack.py); the worker mails through the real
SendGrid client to a stand-in that holds the first send until the test has
killed the worker, so the order is `mailing` when the process dies and the
send never completes. The restarted worker must then get the message again
once the dead delivery's claim is stale, from the local publisher alone, with
no replay. The publisher's schedule and the claim run scaled down here
(LOCAL_PUSH_MIN_BACKOFF, LOCAL_PUSH_MAX_BACKOFF, MAIL_CLAIM_SECONDS); the
defaults are Pub/Sub's 10 s to 600 s and 300 s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from common.orders import OrderRecord, Status
from common.orders._store import record_name
from tests.conftest import SAMPLE_CATALOG, WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack, serving
from tests.support.http_standin import Recorded, Reply
from tests.support.paddle_payloads import billing_request, billing_transaction_completed
from tests.support.sendgrid_standin import SendGridStandIn

PRICE = "pri_01demopracticalpython00000"  # the sample catalog's book
PRODUCT = "pro_01demopracticalpython00000"


class HeldSendGrid(SendGridStandIn):
    """SendGrid whose first send hangs until released, then fails: the sender died mid-send."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    def respond(self, request: Recorded) -> Reply:
        if request.path == "/v3/mail/send" and not self.holding.is_set():
            self.holding.set()
            self.release.wait(60)
            return Reply(500, {"errors": [{"message": "the client went away"}]})
        return super().respond(request)


@pytest.fixture
def sendgrid() -> Iterator[HeldSendGrid]:
    with HeldSendGrid() as standin:
        yield standin  # type: ignore[misc]


@pytest.fixture
def live(
    tmp_path: Path, sample_book: bytes, sample_epub: bytes, sendgrid: HeldSendGrid
) -> Iterator[LiveStack]:
    env = {
        "CATALOG": str(SAMPLE_CATALOG),
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SENDGRID_API_KEY": sendgrid.api_key,
        "SENDGRID_API_URL": sendgrid.url,
        # Pub/Sub's schedule and the claim, scaled down: 0.25 s doubling to 2 s, 10 attempts
        # (about 14 s in all), and a claim that goes stale 3 s after the dead delivery took it.
        "LOCAL_PUSH_MIN_BACKOFF": "0.25",
        "LOCAL_PUSH_MAX_BACKOFF": "2",
        "MAIL_CLAIM_SECONDS": "3",
    }
    with serving(tmp_path, sample_book, sample_epub, env) as stack:
        yield stack


def order_record(live: LiveStack, order_id: str) -> OrderRecord | None:
    path = live.data_dir / "storage" / "exlibris-deliveries" / record_name(order_id)
    return OrderRecord.from_json(path.read_bytes()) if path.exists() else None


def test_a_worker_killed_while_mailing_ends_with_one_mail(
    live: LiveStack, sendgrid: HeldSendGrid
) -> None:
    payload = billing_transaction_completed(
        "txn_01e2ekilled0000000000000", "ctm_01e2ekilled0000000000000", [PRICE], [PRODUCT]
    )
    body, headers = billing_request(payload, WEBHOOK_SECRET, int(time.time()))
    answer = requests.post(f"{live.url}/webhooks/paddle", data=body, headers=headers, timeout=10)
    assert answer.status_code == 200
    order_id = payload["data"]["id"]

    assert sendgrid.holding.wait(60), "the mail never reached SendGrid"
    record = order_record(live, order_id)
    assert record is not None and record.status == Status.MAILING
    live.stack.restart_worker()  # kill -9 mid-send, then a fresh instance
    sendgrid.release.set()

    live.settle(timeout=60)  # the publisher alone: no replay
    record = order_record(live, order_id)
    assert record is not None and record.status == Status.MAILED
    assert len(sendgrid.mails) == 1
    assert sendgrid.mails[0]["custom_args"]["order_id"] == order_id
    assert not list((live.data_dir / "dead-letter").glob("*.json"))
