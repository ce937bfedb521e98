"""The worker on its cloud adapters, for the push-flow and fault tests.

`cloud_settings` builds settings as Cloud Run would get them (gcs, pubsub;
push auth off unless a test puts the worker behind the Cloud Run front-end
stand-in, as the push flow does, since the emulator sends no token); the tests hand the app
ready-built adapters that talk to the emulators and stand-ins, and serve it on
loopback with tests.support.served.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from common.messages import Buyer, OrderPaid
from common.orders import OrderRecord
from common.orders._store import record_name
from common.settings import Settings
from common.storage import NotFound, Storage
from demo.emulators import PROJECT
from tests.conftest import SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.support.sendgrid_standin import SendGridStandIn
from worker.mail.sendgrid import SendGridMailer

CLASSIC_ID = "552312"  # the sample catalog's Classic product: practical-python.pdf, stamped
BOOK = "practical-python.pdf"
EPUB = "practical-python.epub"  # the sample product sells both
ADA = Buyer(name="Ada Lovelace", email="ada@example.com")


def cloud_settings(tmp_path: Path, source: str, delivery: str, **extra: str) -> Settings:
    env = {
        "STORAGE_BACKEND": "gcs",
        "PUBLISH_BACKEND": "pubsub",
        "PUSH_AUTH": "false",
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "SOURCE_BUCKET": source,
        "DELIVERY_BUCKET": delivery,
        "CATALOG": str(SAMPLE_CATALOG),
        "STAMP_SECRET": STAMP_SECRET,
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LOCAL_DATA_DIR": str(tmp_path / "var"),
        "PUBLIC_URL": "https://books.example.com",
    }
    return Settings.from_env(env | extra)


def paid(order_id: str) -> OrderPaid:
    return OrderPaid(
        order_id=order_id,
        product_ids=(f"paddle:{CLASSIC_ID}",),
        merchant="paddle",
        event_id=f"evt-{order_id}",
        occurred_at="2026-01-01T00:00:00Z",
        source="classic",
        buyer=ADA,
    )


def mailer_for(standin: SendGridStandIn, **options: object) -> SendGridMailer:
    """The real SendGrid client aimed at the stand-in, with short backoff."""
    defaults: dict[str, object] = {"backoff": 0.01, "attempts": 3, "timeout": 30}
    return SendGridMailer(
        standin.api_key,
        host=standin.url,
        mail_from="books@example.com",
        **(defaults | options),  # type: ignore[arg-type]
    )


def order_status(storage: Storage, bucket: str, order_id: str) -> str:
    try:
        return OrderRecord.from_json(storage.read(bucket, record_name(order_id)).data).status
    except NotFound:
        return ""


def wait_until(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Poll until condition() is truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g}s: {what or condition}")
        time.sleep(0.05)
