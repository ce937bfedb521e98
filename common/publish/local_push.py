"""Embedded publisher: Pub/Sub push semantics on one laptop.

publish() spools the exact push envelope to disk and returns at once, like
Pub/Sub acknowledging a publish; background threads POST it to the worker
and, while the worker answers anything but 2xx, push it again on Pub/Sub's
schedule: exponential backoff from `min_backoff` to `max_backoff` (10 s to
600 s by default, terraform/pubsub.tf's retry_policy), and after
`max_attempts` deliveries (10, terraform/variables.tf max_delivery_attempts)
it moves to the dead-letter folder. "Retry delay will be exponential based on
provided minimum and maximum backoffs" and is per message (Pub/Sub's
RetryPolicy, cloud.google.com/pubsub/docs/reference/rest/v1/
projects.subscriptions), so a message waiting out its backoff holds up no
other: the others are pushed meanwhile. That patience is what lets a worker
killed mid-send finish the order: its redeliveries answer 503 until the dead
delivery's mail claim (MAIL_CLAIM_SECONDS, 300 s) goes stale, and the schedule
outlasts the claim (common/settings.py checks it).

Each envelope's deliveryAttempt is written back to its spool file after a
failure, so a publisher that restarts (the service's process) resumes the
count rather than granting fresh attempts. Spooled envelopes left by a
stopped process are delivered when the next one starts, so nothing accepted
is lost.

Pub/Sub also "dynamically adjusts the rate of push requests based on the rate
at which it receives success responses", and after many failures stops all
pushes for 100 ms to 60 s ("push backoff", cloud.google.com/pubsub/docs/push).
This publisher keeps the second: each failure in a row doubles a pause of
every push, from 0.1 s to 60 s, and a success ends it. Without it a dead
worker (refused connections, answered in a millisecond) spends one attempt of
every queued message per round, and a backlog is dead-lettered while the
worker restarts: bench/chaos.py found 517 of 1,000 orders at their 8th of 10
attempts after 700 s of kills every 20 s.

One pusher (the default) pushes one message at a time, first deliveries in
publish order, which keeps the demo's log easy to follow. Pub/Sub itself
pushes many messages at once and Cloud Run hands an instance up to its
concurrency, so `pushers` (LOCAL_PUSH_CONCURRENCY) set to the worker's threads
makes a laptop burst load the worker as one Cloud Run instance is loaded
(bench/burst.py).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from common.dead_letters import redacted
from common.messages import Message, push_envelope
from common.publish._port import PublishError
from common.settings import push_backoffs

log = logging.getLogger(__name__)
PUSH_BACKOFF = (0.1, 60.0)  # Pub/Sub's pause of all pushes after failures, shortest and longest


class LocalPushPublisher:
    def __init__(
        self,
        push_url: str,
        data_dir: Path,
        *,
        max_attempts: int = 10,
        min_backoff: float = 10.0,
        max_backoff: float = 600.0,
        timeout: float = 300.0,
        pushers: int = 1,
        push_backoff: tuple[float, float] = PUSH_BACKOFF,
    ) -> None:
        self.push_url = push_url
        self.spool = data_dir / "spool"
        self.dead_letter = data_dir / "dead-letter"
        self.max_attempts = max_attempts
        self.backoffs = push_backoffs(min_backoff, max_backoff, max_attempts)
        self.timeout = timeout
        self.push_backoff = push_backoff
        self.spool.mkdir(parents=True, exist_ok=True)
        self.dead_letter.mkdir(parents=True, exist_ok=True)
        # (when due, monotonic; publish order; spool file): the next due first, ties in order
        self._due: list[tuple[float, int, Path]] = []
        self._order = itertools.count()
        self._in_flight = 0
        self._failures_in_a_row = 0
        self._paused_until = 0.0  # monotonic: no push starts before (push backoff)
        self._changed = threading.Condition()
        self._session = requests.Session()
        for leftover in sorted(self.spool.glob("*.json")):
            self._schedule(leftover, 0.0)
        for n in range(pushers):
            name = f"local-push-{n}"
            threading.Thread(target=self._deliver_forever, name=name, daemon=True).start()

    def publish(self, message: Message) -> str:
        message_id = uuid.uuid4().hex
        envelope = push_envelope(message, message_id, "projects/local/subscriptions/orders-push")
        path = self.spool / f"{time.time_ns()}-{message_id}.json"
        try:
            _write_atomically(path, envelope)
        except OSError as exc:
            raise PublishError(f"cannot spool message: {exc}") from exc
        self._schedule(path, 0.0)
        return message_id

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every spooled message is delivered or dead-lettered (tests, demo)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._due or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
        return True

    def _schedule(self, path: Path, delay: float) -> None:
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), path))
            self._changed.notify_all()

    def _next_due(self) -> Path:
        """Wait for the message whose push is due first, and take it."""
        with self._changed:
            while True:
                now = time.monotonic()
                wait = max(self._due[0][0], self._paused_until) - now if self._due else None
                if wait is not None and wait <= 0:
                    self._in_flight += 1
                    return heapq.heappop(self._due)[2]
                self._changed.wait(wait)

    def _deliver_forever(self) -> None:
        while True:
            path = self._next_due()
            retry_in, failed = None, True
            try:
                retry_in, failed = self._deliver(path)
            except Exception:  # the thread must outlive any one message
                log.exception("local push failed unexpectedly", extra={"spool_file": path.name})
            finally:
                with self._changed:
                    self._in_flight -= 1
                    now = time.monotonic()
                    if retry_in is not None:
                        heapq.heappush(self._due, (now + retry_in, next(self._order), path))
                    self._failures_in_a_row = self._failures_in_a_row + 1 if failed else 0
                    shortest, longest = self.push_backoff
                    pause = min(longest, shortest * 2 ** (self._failures_in_a_row - 1))
                    self._paused_until = now + pause if failed else 0.0
                    self._changed.notify_all()

    def _deliver(self, path: Path) -> tuple[float | None, bool]:
        """Push once: the seconds until the next push (None: settled), and whether it failed."""
        try:
            envelope = json.loads(path.read_text())
        except FileNotFoundError:
            return None, False  # another process on this data dir delivered it
        attempt = int(envelope.get("deliveryAttempt") or 0) + 1
        envelope["deliveryAttempt"] = attempt
        error = self._post(envelope)
        if not error:
            path.unlink(missing_ok=True)
            return None, False
        log.warning(
            "push attempt failed", extra={"attempt": attempt, "error": error, **_ids(envelope)}
        )
        if attempt >= self.max_attempts:
            self._bury(path, envelope, error)
            return None, True
        if path.exists():  # the count survives a restart of this process
            _write_atomically(path, envelope)
        return self.backoffs[attempt - 1], True

    def _bury(self, path: Path, envelope: dict[str, Any], error: str) -> None:
        envelope = redacted(envelope) | {"deadLetterReason": error}
        letter = self.dead_letter / path.name
        letter.with_suffix(".tmp").write_text(json.dumps(envelope, indent=1))
        letter.with_suffix(".tmp").replace(letter)
        path.unlink(missing_ok=True)
        log.error("message dead-lettered", extra={"error": error, **_ids(envelope)})

    def _post(self, envelope: dict[str, Any]) -> str:
        """POST once; return '' on success or the reason for failure."""
        try:
            response = self._session.post(self.push_url, json=envelope, timeout=self.timeout)
        except requests.RequestException as exc:
            return f"worker unreachable: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return ""
        return f"worker answered {response.status_code}"


def _write_atomically(path: Path, envelope: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(envelope))
    tmp.replace(path)


def _ids(envelope: dict[str, Any]) -> dict[str, str]:
    message = envelope.get("message", {})
    return {
        "message_id": message.get("messageId", ""),
        "idempotency_key": message.get("attributes", {}).get("idempotency_key", ""),
    }
