"""The embedded publisher: Pub/Sub push semantics against a real local HTTP server.

The stand-in worker is an HTTP server on 127.0.0.1 whose answers the test
scripts; it records every request, so each test sees the exact envelopes sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.messages import (
    Buyer,
    KindleRequested,
    LinksRequested,
    OrderPaid,
    OrderRevoked,
    attributes_of,
    encode,
    parse_envelope,
    push_envelope,
)
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from tests.support.http_standin import HttpStandIn, Recorded, Reply

PAID = OrderPaid(
    "552312-1",
    ("paddle:552312",),
    "evt-1",
    "2025-06-15T12:00:00Z",
    "paddle",
    "classic",
    Buyer("Ada", "a@b.co"),
)
SUBSCRIPTION = "projects/local/subscriptions/orders-push"


class Worker(HttpStandIn):
    """A worker that acknowledges every push unless scripted otherwise."""

    def respond(self, request: Recorded) -> Reply:
        return Reply(204)


@pytest.fixture
def worker() -> Iterator[Worker]:
    with Worker() as standin:
        yield standin  # type: ignore[misc]


def publisher_for(url: str, data_dir: Path, attempts: int = 5) -> LocalPushPublisher:
    """Pub/Sub's schedule scaled down: 0.01 s doubling to 0.04 s, instead of 10 s to 600 s."""
    return LocalPushPublisher(
        url, data_dir, max_attempts=attempts, min_backoff=0.01, max_backoff=0.04, timeout=5
    )


def spooled(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "spool").glob("*"))


def dead(data_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((data_dir / "dead-letter").glob("*.json"))]


def test_a_message_is_pushed_once_as_a_pubsub_envelope(worker: Worker, tmp_path: Path) -> None:
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    message_id = publisher.publish(PAID)
    assert publisher.wait_idle(10)

    [request] = worker.requests
    assert (request.method, request.path) == ("POST", "/pubsub/push")
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["subscription"] == SUBSCRIPTION
    assert body["deliveryAttempt"] == 1
    assert body["message"]["messageId"] == message_id
    assert body["message"]["attributes"] == attributes_of(PAID)
    assert base64.b64decode(body["message"]["data"]) == encode(PAID)
    envelope = parse_envelope(body)
    assert (envelope.message, envelope.delivery_attempt) == (PAID, 1)
    assert spooled(tmp_path) == []
    assert dead(tmp_path) == []


def test_the_envelope_is_the_contract_s_push_envelope(worker: Worker, tmp_path: Path) -> None:
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    message_id = publisher.publish(PAID)
    assert publisher.wait_idle(10)
    body = worker.requests[0].json()
    expected = push_envelope(PAID, message_id, SUBSCRIPTION)
    expected["message"]["publishTime"] = body["message"]["publishTime"]
    assert body == expected | {"deliveryAttempt": 1}


def test_messages_are_delivered_in_order(worker: Worker, tmp_path: Path) -> None:
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    messages = [
        PAID,
        OrderRevoked("552312-1", "evt-2", "t", "refund"),
        LinksRequested("a@b.co", "req-1", "t"),
    ]
    ids = [publisher.publish(m) for m in messages]
    assert publisher.wait_idle(10)
    assert [r.json()["message"]["messageId"] for r in worker.requests] == ids
    assert [parse_envelope(r.json()).message for r in worker.requests] == messages


def test_failures_are_retried_until_the_worker_acknowledges(worker: Worker, tmp_path: Path) -> None:
    worker.script(Reply(500), Reply(503, {"error": "being mailed"}))
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    message_id = publisher.publish(PAID)
    assert publisher.wait_idle(10)

    bodies = [r.json() for r in worker.requests]
    assert [b["deliveryAttempt"] for b in bodies] == [1, 2, 3]
    assert {b["message"]["messageId"] for b in bodies} == {message_id}
    assert all(b["message"] == bodies[0]["message"] for b in bodies)
    assert spooled(tmp_path) == []
    assert dead(tmp_path) == []


def test_a_message_the_worker_never_accepts_is_dead_lettered(
    worker: Worker, tmp_path: Path
) -> None:
    worker.script(*[Reply(500)] * 3)
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path, attempts=3)
    message_id = publisher.publish(PAID)
    assert publisher.wait_idle(10)

    assert len(worker.requests) == 3
    [letter] = dead(tmp_path)
    assert letter["deadLetterReason"] == "worker answered 500"
    assert letter["deliveryAttempt"] == 3
    assert letter["message"]["messageId"] == message_id
    assert parse_envelope(letter).message == PAID
    assert spooled(tmp_path) == []


def test_a_kindle_request_is_buried_without_its_address(worker: Worker, tmp_path: Path) -> None:
    """Issue 23: a Kindle address is kept nowhere but masked, a dead letter included."""
    worker.script(*[Reply(500)] * 2)
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path, attempts=2)
    request = KindleRequested("552312-1", 0, "ada_lovelace@kindle.com", "r" * 16, "2025-06-15")
    publisher.publish(request)
    assert publisher.wait_idle(10)
    [letter] = dead(tmp_path)
    assert "ada_lovelace" not in json.dumps(letter)
    assert letter["message"]["kindle_request"]["order_id"] == "552312-1"
    assert letter["deadLetterReason"] == "worker answered 500"


def test_an_unreachable_worker_dead_letters_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    publisher = publisher_for(f"http://127.0.0.1:{port}/pubsub/push", tmp_path, attempts=2)
    publisher.publish(PAID)
    assert publisher.wait_idle(10)
    [letter] = dead(tmp_path)
    assert letter["deadLetterReason"] == "worker unreachable: ConnectionError"
    assert spooled(tmp_path) == []


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_is_an_acknowledgement(worker: Worker, tmp_path: Path, status: int) -> None:
    worker.script(Reply(status))
    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    publisher.publish(PAID)
    assert publisher.wait_idle(10)
    assert len(worker.requests) == 1
    assert spooled(tmp_path) == []


def test_messages_spooled_by_a_previous_instance_are_delivered(
    worker: Worker, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    left = [
        push_envelope(PAID, "left-1", SUBSCRIPTION),
        push_envelope(LinksRequested("a@b.co", "req-1", "t"), "left-2", SUBSCRIPTION),
    ]
    for n, envelope in enumerate(left):  # as publish() writes them: <time_ns>-<id>.json
        (spool / f"{1_700_000_000_000_000_000 + n}-left-{n + 1}.json").write_text(
            json.dumps(envelope)
        )

    publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path)
    assert publisher.wait_idle(10)
    bodies = [r.json() for r in worker.requests]
    assert [b["message"]["messageId"] for b in bodies] == ["left-1", "left-2"]
    assert [{k: v for k, v in b.items() if k != "deliveryAttempt"} for b in bodies] == left
    assert spooled(tmp_path) == []


class MeetingWorker(HttpStandIn):
    """A worker that acknowledges a push only once `parties` pushes are in flight together.

    Pushes sent one at a time never meet: the barrier times out and the push gets a 500.
    """

    def __init__(self, parties: int, wait: float = 5.0) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=wait)

    def respond(self, request: Recorded) -> Reply:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return Reply(500, {"error": "pushed alone"})
        return Reply(204)


@pytest.mark.parametrize("pushers", [2, 4])
def test_several_pushers_keep_that_many_pushes_in_flight(tmp_path: Path, pushers: int) -> None:
    with MeetingWorker(pushers) as worker:
        publisher = LocalPushPublisher(
            f"{worker.url}/pubsub/push", tmp_path, max_attempts=1, timeout=10, pushers=pushers
        )
        for n in range(pushers):
            publisher.publish(OrderRevoked(f"552312-{n}", f"evt-{n}", "t", "refund"))
        assert publisher.wait_idle(20)
        assert len(worker.requests) == pushers
    assert dead(tmp_path) == []
    assert spooled(tmp_path) == []


def test_one_pusher_sends_one_push_at_a_time(tmp_path: Path) -> None:
    with MeetingWorker(2, wait=0.5) as worker:
        publisher = LocalPushPublisher(
            f"{worker.url}/pubsub/push", tmp_path, max_attempts=1, timeout=10
        )
        publisher.publish(PAID)
        publisher.publish(OrderRevoked("552312-1", "evt-2", "t", "refund"))
        assert publisher.wait_idle(30)
    assert [letter["deadLetterReason"] for letter in dead(tmp_path)] == ["worker answered 500"] * 2


class TimedWorker(HttpStandIn):
    """Answers the first `failures` pushes 503, then 204; records when each arrived."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.arrivals: list[tuple[float, str]] = []  # (monotonic seconds, messageId)

    def respond(self, request: Recorded) -> Reply:
        self.arrivals.append((time.monotonic(), request.json()["message"]["messageId"]))
        if len(self.arrivals) <= self.failures:
            return Reply(503, {"error": "order 1 is being mailed by another delivery"})
        return Reply(204)


@pytest.mark.slow  # waits out real backoffs
def test_retries_wait_pub_sub_s_doubling_backoff_up_to_the_maximum(tmp_path: Path) -> None:
    with TimedWorker(failures=5) as worker:
        publisher = LocalPushPublisher(
            f"{worker.url}/pubsub/push", tmp_path, min_backoff=0.05, max_backoff=0.2, timeout=5
        )
        publisher.publish(PAID)
        assert publisher.wait_idle(20)
    times = [when for when, _ in worker.arrivals]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert len(times) == 6  # five 503s, then the acknowledgement
    # Each wait is at least its backoff: 0.05, 0.1, 0.2, then capped at 0.2.
    assert all(gap >= want for gap, want in zip(gaps, [0.05, 0.1, 0.2, 0.2, 0.2], strict=True))
    assert dead(tmp_path) == []


@pytest.mark.slow  # waits out real backoffs
def test_a_message_waiting_out_its_backoff_holds_up_no_other(tmp_path: Path) -> None:
    """Pub/Sub's backoff is per message: the next one is pushed during the wait."""
    with TimedWorker(failures=1) as worker:
        publisher = LocalPushPublisher(
            f"{worker.url}/pubsub/push", tmp_path, min_backoff=5, max_backoff=5, timeout=5
        )
        first = publisher.publish(PAID)
        second = publisher.publish(OrderRevoked("552312-9", "evt-9", "t", "refund"))
        assert publisher.wait_idle(30)
    assert [message for _, message in worker.arrivals] == [first, second, first]
    assert worker.arrivals[2][0] - worker.arrivals[0][0] >= 5


def test_the_delivery_count_survives_a_restart_of_the_publisher(tmp_path: Path) -> None:
    with TimedWorker(failures=2) as worker:
        publisher = LocalPushPublisher(
            f"{worker.url}/pubsub/push", tmp_path, min_backoff=600, max_backoff=600, timeout=5
        )
        publisher.publish(PAID)
        while not worker.arrivals:
            time.sleep(0.01)
        assert not publisher.wait_idle(0.5)  # waiting out the first backoff, spooled
        [left] = spooled(tmp_path)
        assert json.loads(left.read_text())["deliveryAttempt"] == 1
        # The process stops and a new one starts on the same data dir: the count goes on.
        restarted = publisher_for(f"{worker.url}/pubsub/push", tmp_path, attempts=3)
        assert restarted.wait_idle(10)
    assert [r.json()["deliveryAttempt"] for r in worker.requests] == [1, 2, 3]
    assert spooled(tmp_path) == []


def test_the_default_schedule_is_terraform_s(tmp_path: Path) -> None:
    settings = Settings()
    publisher = LocalPushPublisher("http://127.0.0.1:9/", tmp_path)
    assert publisher.max_attempts == settings.local_push_max_attempts == 10
    assert publisher.backoffs == [10, 20, 40, 80, 160, 320, 600, 600, 600]


class DownAWhile(HttpStandIn):
    """A worker that answers 503 for its first `down` seconds (a restart), then 204."""

    def __init__(self, down: float) -> None:
        super().__init__()
        self.up_at = time.monotonic() + down

    def respond(self, request: Recorded) -> Reply:
        return Reply(503) if time.monotonic() < self.up_at else Reply(204)


@pytest.mark.slow  # waits out real backoffs
def test_a_worker_down_a_while_does_not_spend_the_backlog_s_attempts(tmp_path: Path) -> None:
    """Failures in a row pause every push (Pub/Sub's push backoff), so a backlog outlives
    a restart instead of each message failing its attempts in a few milliseconds."""
    with DownAWhile(down=1.0) as worker:
        publisher = publisher_for(f"{worker.url}/pubsub/push", tmp_path, attempts=5)
        ids = [
            publisher.publish(OrderRevoked(f"o-{n}", f"e-{n}", "t", "refund")) for n in range(20)
        ]
        assert publisher.wait_idle(30)
        acknowledged = [r.json()["message"]["messageId"] for r in worker.requests][-20:]
    assert dead(tmp_path) == []
    assert sorted(acknowledged) == sorted(ids)
    assert len(worker.requests) < 20 + 10  # a few failures in all, not 4 per message
