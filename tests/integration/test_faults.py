"""Faults on the way to one mail: the worker served for real, its outside systems failing.

Deliveries are POSTed to the served worker exactly as Pub/Sub pushes them;
a 5xx answer is what makes Pub/Sub deliver again, so a test "redelivers" by
posting the same envelope again. Mail goes through the real SendGrid client to
the stand-in. Storage is the folder adapter (it honours generation
preconditions, which concurrent deliveries rely on and gcp-storage-emulator
ignores), except for the storage faults, which run on the emulator behind
FaultProxy. The last test kills a gunicorn worker with SIGKILL in the middle
of an order.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from common.messages import LinksRequested, Message, push_envelope
from common.orders import OrderRecord, Status
from common.orders._store import record_name
from common.settings import Settings
from common.storage.gcs import GcsStorage
from demo.emulators import PROJECT, StorageEmulator
from demo.stack import free_port, gunicorn_command, stack_env, wait_healthy
from tests.conftest import ROOT, SAMPLE_CATALOG, STAMP_SECRET, WEBHOOK_SECRET
from tests.integration.conftest import BOOK, EPUB, cloud_settings, mailer_for, order_status, paid
from tests.support.fault_proxy import FaultProxy
from tests.support.http_standin import Recorded, Reply
from tests.support.sendgrid_standin import SendGridStandIn
from tests.support.served import served
from worker.app import create_app

SUBSCRIPTION = "projects/exlibris-local/subscriptions/orders-push"


def deliver(url: str, message: Message, message_id: str = "m-1") -> int:
    """One push of message, as Pub/Sub sends it; the worker's status code."""
    body = push_envelope(message, message_id, SUBSCRIPTION)
    return requests.post(f"{url}/pubsub/push", json=body, timeout=60).status_code


def sends(standin: SendGridStandIn) -> list[Recorded]:
    return [r for r in standin.requests if r.path == "/v3/mail/send"]


def local_record(settings: Settings, order_id: str) -> OrderRecord:
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / record_name(order_id)
    return OrderRecord.from_json(path.read_bytes())


@pytest.fixture
def worker_url(settings, originals, sendgrid_standin) -> Iterator[str]:
    """The worker on the folder adapter, mailing through the stand-in."""
    with served(create_app(settings, mailer=mailer_for(sendgrid_standin))) as worker:
        yield worker.url


def test_sendgrid_500_then_202_sends_one_mail(worker_url, sendgrid_standin, settings) -> None:
    sendgrid_standin.script(Reply(500, {"errors": [{"message": "try again"}]}))
    assert deliver(worker_url, paid("f-500")) == 204
    assert len(sends(sendgrid_standin)) == 2
    assert len(sendgrid_standin.mails) == 1
    assert local_record(settings, "f-500").status == Status.MAILED


def test_sendgrid_429_waits_until_the_reset_then_sends_one_mail(
    settings, originals, sendgrid_standin
) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    reset = int(time.time()) + 2
    sendgrid_standin.script(Reply(429, headers={"X-RateLimit-Reset": str(reset)}))
    mailer = mailer_for(sendgrid_standin, sleep=sleep, backoff=30.0)
    with served(create_app(settings, mailer=mailer)) as worker:
        assert deliver(worker.url, paid("f-429")) == 204
    [wait] = waits
    assert 0 < wait <= 2  # until the reset, not the 30 s backoff
    assert len(sends(sendgrid_standin)) == 2
    assert len(sendgrid_standin.mails) == 1


def test_a_mail_that_failed_is_sent_by_the_next_delivery(
    settings, originals, sendgrid_standin
) -> None:
    sendgrid_standin.script(Reply(500))
    mailer = mailer_for(sendgrid_standin, attempts=1)
    with served(create_app(settings, mailer=mailer)) as worker:
        assert deliver(worker.url, paid("f-down")) == 503
        assert deliver(worker.url, paid("f-down")) == 204
    assert len(sendgrid_standin.mails) == 1


def test_a_mail_sendgrid_may_have_taken_keeps_its_claim(
    settings, originals, sendgrid_standin
) -> None:
    # SendGrid takes the request but answers after our timeout: it may have sent the
    # mail, so no delivery may send it again until the claim goes stale.
    sendgrid_standin.script(Reply(202, delay=1.0))
    mailer = mailer_for(sendgrid_standin, attempts=3, timeout=0.2)
    with served(create_app(settings, mailer=mailer)) as worker:
        assert deliver(worker.url, paid("f-slow")) == 503
        assert deliver(worker.url, paid("f-slow")) == 503
    assert local_record(settings, "f-slow").status == Status.MAILING
    assert len(sends(sendgrid_standin)) == 1


def test_a_links_request_retried_after_a_failure_mails_each_order_once(
    settings, originals, sendgrid_standin
) -> None:
    for order_id in ("r-1", "r-2", "r-3"):
        assert deliver_locally(settings, paid(order_id)) == 204  # mailed to the outbox
    sendgrid_standin.script(Reply(202), Reply(500))  # the second re-send fails once
    mailer = mailer_for(sendgrid_standin, attempts=1)
    request = LinksRequested("ada@example.com", "req-1", "2026-01-01T00:00:00Z")
    with served(create_app(settings, mailer=mailer)) as worker:
        assert deliver(worker.url, request) == 503
        assert deliver(worker.url, request) == 204
        assert deliver(worker.url, request) == 204  # a late duplicate mails nobody
    orders = [r.json()["custom_args"]["order_id"] for r in sends(sendgrid_standin)]
    assert orders == ["r-1", "r-2", "r-2", "r-3"]  # the refused r-2 once more, r-1 not again


def deliver_locally(settings: Settings, message: Message) -> int:
    client = create_app(settings).test_client()
    return client.post("/pubsub/push", json=push_envelope(message, "m-0", "s")).status_code


class FlakyStorage(FaultProxy):
    """The storage emulator behind a proxy that refuses the first upload of a copy with 503."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.refused_copies = 0

    def respond(self, request: Recorded) -> Reply:
        # A multipart upload names its object in the JSON part of the body.
        copy_upload = request.path.startswith("/upload/") and b'"name": "copies/' in request.body
        if copy_upload and self.refused_copies == 0:
            self.refused_copies += 1
            return Reply(503, {"error": {"code": 503, "message": "backend error"}})
        return super().respond(request)


@pytest.mark.emulator
def test_storage_503s_are_retried_and_the_order_completes(
    tmp_path, storage_emulator: StorageEmulator, sendgrid_standin, sample_book, sample_epub
) -> None:
    source, delivery = storage_emulator.new_bucket(), storage_emulator.new_bucket()
    settings = cloud_settings(tmp_path, source, delivery)
    with FlakyStorage(storage_emulator.endpoint) as proxy:
        client = storage.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": proxy.url},
        )
        gcs = GcsStorage(client, signing=None, deadline=5.0, initial_backoff=0.01)
        gcs.write(source, BOOK, sample_book)
        gcs.write(source, EPUB, sample_epub)
        # Reads of the original's metadata: the client retries them itself.
        proxy.script(Reply(503), Reply(503), path_prefix=f"/storage/v1/b/{source}/o/")
        app = create_app(settings, storage=gcs, mailer=mailer_for(sendgrid_standin))
        with served(app) as worker:
            # The copy's unconditional upload is not retried by the client: 503, and
            # Pub/Sub's redelivery finishes the order.
            statuses = [deliver(worker.url, paid("f-gcs")) for _ in range(2)]
    assert statuses == [503, 204]
    assert proxy.refused_copies == 1
    refused_reads = [r for r in proxy.requests if r.path.startswith(f"/storage/v1/b/{source}/o/")]
    assert len(refused_reads) >= 3  # two 503s, then the answer
    assert order_status(gcs, delivery, "f-gcs") == Status.MAILED
    assert len(sendgrid_standin.mails) == 1


@pytest.mark.emulator
def test_an_order_keeps_to_cloud_storages_one_write_a_second_per_object(
    tmp_path, storage_emulator: StorageEmulator, sendgrid_standin, sample_book, sample_epub
) -> None:
    """The record is written three times (received; stamped and claimed; mailed), and the
    client waits out the 429s of writes that came too soon instead of failing the order."""
    source, delivery = storage_emulator.new_bucket(), storage_emulator.new_bucket()
    settings = cloud_settings(tmp_path, source, delivery)
    with FaultProxy(storage_emulator.endpoint, write_gap=1.0) as proxy:
        client = storage.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": proxy.url},
        )
        gcs = GcsStorage(client, signing=None, deadline=10.0, initial_backoff=0.1)
        gcs.write(source, BOOK, sample_book)
        gcs.write(source, EPUB, sample_epub)
        app = create_app(settings, storage=gcs, mailer=mailer_for(sendgrid_standin))
        with served(app) as worker:
            assert deliver(worker.url, paid("f-rate")) == 204
    assert order_status(gcs, delivery, "f-rate") == Status.MAILED
    assert len(sendgrid_standin.mails) == 1
    assert proxy.writes[record_name("f-rate")] == 3
    assert max(proxy.writes.values()) == 3  # no other object is written more often


def test_the_same_message_ten_times_some_at_once_sends_one_mail(
    worker_url, sendgrid_standin, settings
) -> None:
    message = paid("f-dup")
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(deliver(worker_url, message)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses += [deliver(worker_url, message, f"m-{n}") for n in range(4)]

    assert len(statuses) == 10
    assert set(statuses) <= {204, 503}  # 503: another delivery holds the mail; retry later
    assert statuses[-4:] == [204] * 4
    assert len(sendgrid_standin.mails) == 1
    assert local_record(settings, "f-dup").status == Status.MAILED


class SlowToAnswer(SendGridStandIn):
    """Accepts the first mail, then holds its 202 long enough to kill the sender mid-send."""

    def __init__(self, hold: float) -> None:
        super().__init__()
        self.hold = hold
        self.first_accepted = threading.Event()

    def respond(self, request: Recorded) -> Reply:
        reply = super().respond(request)
        if reply.status == 202 and not self.first_accepted.is_set():
            self.first_accepted.set()
            return Reply(reply.status, reply.body, reply.headers, delay=self.hold)
        return reply


def test_a_worker_killed_mid_send_is_completed_by_a_redelivery(
    tmp_path, sample_book, sample_epub
) -> None:
    data_dir = tmp_path / "var"
    book = data_dir / "storage" / "exlibris-originals" / BOOK
    book.parent.mkdir(parents=True)
    book.write_bytes(sample_book)
    book.with_name(EPUB).write_bytes(sample_epub)
    with SlowToAnswer(hold=20) as sendgrid:
        env = {
            "LOCAL_DATA_DIR": str(data_dir),
            "CATALOG": str(SAMPLE_CATALOG),
            "STAMP_SECRET": STAMP_SECRET,
            "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "SENDGRID_API_KEY": sendgrid.api_key,
            "SENDGRID_API_URL": sendgrid.url,
        }
        message = paid("f-kill")
        with gunicorn_worker(data_dir, env) as url:
            first = threading.Thread(target=_swallow, args=(deliver, url, message), daemon=True)
            first.start()
            assert sendgrid.first_accepted.wait(60), "the mail never reached SendGrid"
            settings = Settings.from_env(env)
            assert local_record(settings, "f-kill").status == Status.MAILING
        # SIGKILLed: SendGrid has the mail, the record still says mailing.
        assert local_record(settings, "f-kill").status == Status.MAILING
        mailer = mailer_for(sendgrid)
        with served(create_app(settings, mailer=mailer)) as restarted:
            assert deliver(restarted.url, message) == 503  # the claim is fresh: retry later
        stale = time.time() + settings.mail_claim_seconds + 1
        later = create_app(settings, mailer=mailer, clock=lambda: stale)
        with served(later) as restarted:
            assert deliver(restarted.url, message) == 204
            assert deliver(restarted.url, message) == 204
    record = local_record(settings, "f-kill")
    assert record.status == Status.MAILED
    assert len(sendgrid.mails) == 2  # the one SendGrid had when the worker died, repeated once
    assert record.mail_id == "standin-2"


@contextmanager
def gunicorn_worker(data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """The worker under gunicorn, as the image runs it; SIGKILLed (whole group) on exit."""
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command("worker", "127.0.0.1", port),
        env=stack_env(data_dir, free_port(), port, **env),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _swallow(function, *args) -> None:
    """Run function; the connection dies with the killed worker, as Pub/Sub would see it."""
    with suppress(requests.RequestException):
        function(*args)
