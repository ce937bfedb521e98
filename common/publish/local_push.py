"""Embedded publisher: Pub/Sub push semantics on one laptop.

publish() spools the exact push envelope to disk and returns at once, like
Pub/Sub acknowledging a publish; a background thread POSTs it to the worker,
retries with exponential backoff while the worker answers anything but 2xx,
and after the last attempt moves it to the dead-letter folder. Spooled
envelopes left by a stopped process are delivered when the next one starts,
so nothing accepted is lost.

One pusher (the default) delivers in publish order, one message at a time,
which keeps the demo's log easy to follow. Pub/Sub itself pushes many messages
at once and Cloud Run hands an instance up to its concurrency, so `pushers`
(LOCAL_PUSH_CONCURRENCY) set to the worker's threads makes a laptop burst
load the worker as one Cloud Run instance is loaded (bench/burst.py).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from common.messages import Message, push_envelope
from common.publish._port import PublishError

log = logging.getLogger(__name__)


class LocalPushPublisher:
    def __init__(
        self,
        push_url: str,
        data_dir: Path,
        *,
        attempts: int = 5,
        first_backoff: float = 0.5,
        timeout: float = 300.0,
        pushers: int = 1,
    ) -> None:
        self.push_url = push_url
        self.spool = data_dir / "spool"
        self.dead_letter = data_dir / "dead-letter"
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.timeout = timeout
        self.spool.mkdir(parents=True, exist_ok=True)
        self.dead_letter.mkdir(parents=True, exist_ok=True)
        self._queue: queue.Queue[Path] = queue.Queue()
        self._session = requests.Session()
        for leftover in sorted(self.spool.glob("*.json")):
            self._queue.put(leftover)
        for n in range(pushers):
            name = f"local-push-{n}"
            threading.Thread(target=self._deliver_forever, name=name, daemon=True).start()

    def publish(self, message: Message) -> str:
        message_id = uuid.uuid4().hex
        envelope = push_envelope(message, message_id, "projects/local/subscriptions/orders-push")
        path = self.spool / f"{time.time_ns()}-{message_id}.json"
        try:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(envelope))
            tmp.replace(path)
        except OSError as exc:
            raise PublishError(f"cannot spool message: {exc}") from exc
        self._queue.put(path)
        return message_id

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every spooled message is delivered or dead-lettered (tests, demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def _deliver_forever(self) -> None:
        while True:
            path = self._queue.get()
            try:
                self._deliver(path)
            except Exception:  # the thread must outlive any one message
                log.exception("local push failed unexpectedly", extra={"spool_file": path.name})
            finally:
                self._queue.task_done()

    def _deliver(self, path: Path) -> None:
        try:
            envelope = json.loads(path.read_text())
        except FileNotFoundError:
            return  # another process on this data dir (the console, the service) delivered it
        last_error = ""
        for attempt in range(1, self.attempts + 1):
            envelope["deliveryAttempt"] = attempt
            last_error = self._post(envelope)
            if not last_error:
                path.unlink(missing_ok=True)
                return
            log.warning(
                "push attempt failed",
                extra={"attempt": attempt, "error": last_error, **_ids(envelope)},
            )
            if attempt < self.attempts:
                time.sleep(self.first_backoff * 2 ** (attempt - 1))
        envelope["deadLetterReason"] = last_error
        letter = self.dead_letter / path.name
        letter.with_suffix(".tmp").write_text(json.dumps(envelope, indent=1))
        letter.with_suffix(".tmp").replace(letter)
        path.unlink(missing_ok=True)
        log.error("message dead-lettered", extra={"error": last_error, **_ids(envelope)})

    def _post(self, envelope: dict[str, Any]) -> str:
        """POST once; return '' on success or the reason for failure."""
        try:
            response = self._session.post(self.push_url, json=envelope, timeout=self.timeout)
        except requests.RequestException as exc:
            return f"worker unreachable: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return ""
        return f"worker answered {response.status_code}"


def _ids(envelope: dict[str, Any]) -> dict[str, str]:
    message = envelope.get("message", {})
    return {
        "message_id": message.get("messageId", ""),
        "idempotency_key": message.get("attributes", {}).get("idempotency_key", ""),
    }
