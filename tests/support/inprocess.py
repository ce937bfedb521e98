"""Both apps in one test process: the service publishes straight into the worker app.

`PushToWorker` is a publisher (service/publish's port) that hands each message
to the worker's `/pubsub/push` through a Flask test client, in the same push
envelope Pub/Sub and the local publisher send, and keeps the status the worker
answered. Redelivery is the test's business: it sees every status and may push
again. `Pipeline` wires a service and a worker on one embedded storage, so a
signed webhook becomes a mail in the outbox within one call.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from flask.testing import FlaskClient

from common.messages import Message, push_envelope
from common.settings import Settings
from service.app import create_app as create_service
from worker.app import create_app as create_worker
from worker.mail._outbox import read_mail

SUBSCRIPTION = "projects/local/subscriptions/orders-push"


@dataclass
class PushToWorker:
    worker: FlaskClient
    statuses: list[int] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def publish(self, message: Message) -> str:
        message_id = f"m-{next(self._ids)}"
        envelope = push_envelope(message, message_id, SUBSCRIPTION)
        self.messages.append(message)
        self.statuses.append(self.worker.post("/pubsub/push", json=envelope).status_code)
        return message_id


@dataclass
class Pipeline:
    settings: Settings
    service: FlaskClient
    worker: FlaskClient
    publisher: PushToWorker

    def mails(self) -> list[EmailMessage]:
        folder = self.settings.local_data_dir / "outbox"
        return [read_mail(p) for p in sorted(folder.glob("*.eml"))]

    def record_path(self, order_id: str) -> Path:
        bucket = self.settings.local_data_dir / "storage" / self.settings.delivery_bucket
        return bucket / f"orders/{order_id}.json"


def pipeline(
    settings: Settings, *, clock: float | None = None, **service_overrides: object
) -> Pipeline:
    """A service whose publisher pushes into a worker, both on `settings`' embedded storage."""
    clocked = {} if clock is None else {"clock": lambda: clock}
    worker = create_worker(settings, **clocked).test_client()
    publisher = PushToWorker(worker)
    service = create_service(settings, publisher=publisher, **clocked, **service_overrides)
    return Pipeline(settings, service.test_client(), worker, publisher)
