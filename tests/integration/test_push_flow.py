"""Pub/Sub push end to end on the real emulator: topic → push subscription → worker over HTTP.

The worker runs for real on a loopback port (werkzeug, threaded) with Cloud
Storage on gcp-storage-emulator and the SendGrid client aimed at a stand-in.
The topic, dead-letter topic and push subscription (retry and dead-letter
policies, as terraform/pubsub.tf) are created with the real admin clients,
and orders are published with our PubSubPublisher.

The worker is private, as on Cloud Run: the subscription pushes to the
front-end stand-in (tests/support/cloud_run_frontend.py), which checks and
strips the token, and the worker runs with PUSH_AUTH=cloud-run.

What the emulator does, as these tests pin it down: it pushes the JSON
envelope with no Authorization header (so the front end's test mode signs
each push for the push account, as Pub/Sub would); it
honours the retry policy but raises a minimum backoff below 1 s to 1 s; it
implements the dead-letter policy (after max_delivery_attempts non-2xx answers
the message is republished to the dead-letter topic with
CloudPubSubDeadLetterSource* attributes); and its push body has no
deliveryAttempt field, which Pub/Sub sends when a dead-letter policy is set.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from common import messages
from common.messages import OrderPaid, attributes_of, parse_envelope
from common.publish.pubsub import build_pubsub_publisher
from common.settings import Settings
from common.storage.gcs import GcsStorage
from demo.emulators import (
    PROJECT,
    PubSubEmulator,
    StorageEmulator,
)
from demo.emulators.topology import PushTopology, create_push_topology
from demo.sample_epub import make_sample_epub
from tests.integration.conftest import (
    BOOK,
    EPUB,
    cloud_settings,
    mailer_for,
    order_status,
    paid,
    wait_until,
)
from tests.support.cloud_run_frontend import CloudRunFrontEnd, cloud_run_frontend
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer
from tests.support.sendgrid_standin import SendGridStandIn
from tests.support.served import Served, served
from worker.app import create_app

pytestmark = pytest.mark.emulator
ATTEMPTS = 5


@dataclass
class PushRig:
    worker: Served
    front: CloudRunFrontEnd
    settings: Settings
    storage: GcsStorage
    topology: PushTopology
    emulator: PubSubEmulator
    sendgrid: SendGridStandIn

    def publish(self, message: OrderPaid) -> str:
        name = self.topology.topic.rsplit("/", 1)[-1]
        return build_pubsub_publisher(PROJECT, name, emulator_host=self.emulator.host).publish(
            message
        )

    def upload_book(self, data: bytes) -> None:
        """The sample product's originals: this PDF, and the sample EPUB beside it."""
        self.storage.write(self.settings.source_bucket, BOOK, data, content_type="application/pdf")
        self.storage.write(self.settings.source_bucket, EPUB, make_sample_epub())

    def status(self, order_id: str) -> str:
        return order_status(self.storage, self.settings.delivery_bucket, order_id)

    def pull_dead_letters(self, timeout: float) -> list:
        subscriber = self.emulator.subscriber()
        found: list = []

        def pulled() -> bool:
            answer = subscriber.pull(
                subscription=self.topology.dead_letter_subscription, max_messages=10, timeout=5
            )
            found.extend(answer.received_messages)
            return bool(found)

        wait_until(pulled, timeout, "a message in the dead-letter topic")
        subscriber.acknowledge(
            subscription=self.topology.dead_letter_subscription, ack_ids=[m.ack_id for m in found]
        )
        return found


@pytest.fixture
def rig(
    tmp_path: Path,
    storage_emulator: StorageEmulator,
    pubsub_emulator: PubSubEmulator,
    sendgrid_standin: SendGridStandIn,
) -> Iterator[PushRig]:
    source, delivery = storage_emulator.new_bucket(), storage_emulator.new_bucket()
    gcs = GcsStorage(storage_emulator.client(), signing=None, deadline=5.0, initial_backoff=0.01)
    with ExitStack() as stack:
        # The front end first: its URL is the push audience the worker's settings name.
        issuer = GoogleIssuer()
        front = stack.enter_context(
            cloud_run_frontend("http://127.0.0.1:9", issuer, push_account=PUSH_ACCOUNT)
        )
        settings = cloud_settings(
            tmp_path,
            source,
            delivery,
            PUSH_AUTH="cloud-run",
            PUSH_AUDIENCE=front.url,
            PUSH_SERVICE_ACCOUNT=PUSH_ACCOUNT,
        )
        app = create_app(settings, storage=gcs, mailer=mailer_for(sendgrid_standin))
        worker = stack.enter_context(served(app))
        front.upstream = worker.url  # known once the worker serves
        topology = create_push_topology(
            pubsub_emulator.publisher(),
            pubsub_emulator.subscriber(),
            PROJECT,
            f"orders-{uuid.uuid4().hex[:8]}",
            f"{front.url}/pubsub/push",
            max_delivery_attempts=ATTEMPTS,
            minimum_backoff=0.1,
            maximum_backoff=1.0,
        )
        yield PushRig(worker, front, settings, gcs, topology, pubsub_emulator, sendgrid_standin)
        pubsub_emulator.subscriber().delete_subscription(subscription=topology.subscription)


def test_a_published_order_is_pushed_once_and_mailed_once(rig: PushRig, sample_book) -> None:
    rig.upload_book(sample_book)
    message = paid("push-1")
    message_id = rig.publish(message)

    wait_until(lambda: rig.worker.pushes(), what="a push to the worker")
    wait_until(lambda: rig.status("push-1") == "mailed", what="the order mailed")
    [push] = rig.worker.pushes()
    assert push.status == 204
    assert len(rig.sendgrid.mails) == 1
    assert rig.sendgrid.mails[0]["personalizations"][0]["to"][0]["email"] == "ada@example.com"
    envelope = push.json()
    assert envelope["subscription"] == rig.topology.subscription
    assert envelope["message"]["messageId"] == message_id
    assert envelope["message"]["attributes"] == attributes_of(message)
    assert parse_envelope(envelope).message == message
    [arrived] = [e for e in rig.front.exchanges if e.received.path == "/pubsub/push"]
    assert "Authorization" not in arrived.received.headers  # the emulator signs nothing
    assert push.headers["Authorization"].endswith(".SIGNATURE_REMOVED_BY_GOOGLE")


def test_a_failure_that_heals_is_retried_until_the_order_is_mailed(
    rig: PushRig, sample_book
) -> None:
    message_id = rig.publish(paid("push-2"))  # the original is not uploaded yet: 503

    wait_until(lambda: rig.worker.pushes(), what="the first push")
    assert rig.worker.pushes()[0].status == 503
    rig.upload_book(sample_book)
    wait_until(lambda: rig.status("push-2") == "mailed", what="the order mailed after a retry")
    # The record is mailed before the worker's answer is recorded: wait for the answer too.
    wait_until(lambda: any(p.status == 204 for p in rig.worker.pushes()), what="the 204")

    pushes = rig.worker.pushes()
    statuses = [p.status for p in pushes]
    assert statuses[0] == 503 and 204 in statuses
    assert set(statuses) == {503, 204}  # failures until the book came, then the delivery
    assert {p.json()["message"]["messageId"] for p in pushes} == {message_id}
    assert len(rig.sendgrid.mails) == 1


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_topic(rig: PushRig) -> None:
    message = paid("push-3")  # its original never arrives: every delivery answers 503
    rig.publish(message)

    [dead] = rig.pull_dead_letters(timeout=45)
    assert dead.message.data == messages.encode(message)
    attributes = dict(dead.message.attributes)
    assert attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == str(ATTEMPTS)
    subscription_id = rig.topology.subscription.rsplit("/", 1)[-1]
    assert attributes["CloudPubSubDeadLetterSourceSubscription"] == subscription_id
    assert attributes["idempotency_key"] == message.idempotency_key
    assert [p.status for p in rig.worker.pushes()] == [503] * ATTEMPTS
    assert rig.sendgrid.mails == []


@pytest.mark.xfail(
    strict=True,
    reason="the Pub/Sub emulator's push body has no deliveryAttempt; Pub/Sub sends it "
    "when the subscription has a dead-letter policy",
)
def test_the_push_body_carries_the_delivery_attempt(rig: PushRig, sample_book) -> None:
    rig.upload_book(sample_book)
    rig.publish(paid("push-4"))
    wait_until(lambda: rig.worker.pushes(), what="a push to the worker")
    assert rig.worker.pushes()[0].json().get("deliveryAttempt") == 1
