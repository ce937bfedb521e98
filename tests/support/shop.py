"""A shop in one process for the console's tests: the worker app, its storage, the console.

`Shop.buy` pushes a paid order to the worker (stamped, stored, mailed to the
outbox), `Shop.webhook` posts a signed Billing notification to the service;
`Shop.console(*argv)` runs `exlibris` with the same settings and
storage, publishing through an InlinePublisher into that worker, and returns
the exit status, what it printed and what it wrote to stderr.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flask import Flask
from rich.console import Console

from common.codes import derive_key
from common.messages import Buyer, OrderPaid
from common.orders import OrderRecord, load_record
from common.settings import Settings
from common.storage import LocalStorage
from console.__main__ import run
from service.app import create_app as create_service
from tests.conftest import WEBHOOK_SECRET
from tests.support.inline_publisher import InlinePublisher
from tests.support.paddle_payloads import billing_request
from worker.app import create_app as create_worker
from worker.mail._outbox import read_mail

CLASSIC_ID = "552312"  # the sample catalog's Classic id of practical-python


@dataclass(frozen=True)
class Ran:
    status: int
    out: str
    err: str


@dataclass
class Shop:
    settings: Settings
    worker: Flask
    storage: LocalStorage
    publisher: InlinePublisher
    overrides: dict[str, Any] = field(default_factory=dict)

    def buy(
        self, order_id: str, email: str = "ada@example.com", name: str = "Ada Lovelace"
    ) -> None:
        message = OrderPaid(
            order_id=order_id,
            product_ids=(f"paddle:{CLASSIC_ID}",),
            merchant="paddle",
            event_id=f"evt-{order_id}",
            occurred_at="2026-01-01T00:00:00Z",
            source="classic",
            buyer=Buyer(name=name, email=email),
        )
        assert self.publisher.publish(message) and not self.publisher.unhandled

    def webhook(self, payload: dict[str, Any]) -> int:
        """POST a signed Billing notification to the service, which publishes into the worker."""
        service = create_service(self.settings, publisher=self.publisher).test_client()
        body, headers = billing_request(payload, WEBHOOK_SECRET, int(time.time()))
        return service.post("/webhooks/paddle", data=body, headers=headers).status_code

    def restarted(self, **changes: Any) -> Shop:
        """The apps started again with changed settings (a new catalog, say), on the same data."""
        settings = self.settings.with_overrides(**changes)
        worker = create_worker(settings)
        return Shop(settings, worker, self.storage, InlinePublisher(worker.test_client()))

    def record(self, order_id: str) -> OrderRecord:
        found, _ = load_record(self.storage, self.settings.delivery_bucket, order_id)
        assert found is not None
        return found

    def mails(self) -> list[EmailMessage]:
        outbox = self.settings.local_data_dir / "outbox"
        return [read_mail(p) for p in sorted(outbox.glob("*.eml"))]

    def original(self) -> Path:
        return self.settings.local_data_dir / "storage" / self.settings.source_bucket

    def console(self, *argv: str, **overrides: Any) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        adapters: dict[str, Any] = {
            "storage": self.storage,
            "publisher": self.publisher,
            "out": Console(file=out, width=200, highlight=False),
            "sleep": lambda seconds: None,
        }
        status = run(
            list(argv), self.settings, stderr=err, **(adapters | self.overrides | overrides)
        )
        return Ran(status, out.getvalue(), err.getvalue())


def local_storage(settings: Settings) -> LocalStorage:
    return LocalStorage(
        settings.local_data_dir / "storage",
        public_url=settings.public_url,
        signing_key=derive_key(settings.stamp_secret, "local-url"),
    )
