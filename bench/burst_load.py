"""A burst of signed purchases, and what came of it: answers, mails, the worker's own logs.

Each client thread keeps one HTTP connection and posts correctly signed Billing
`transaction.completed` bodies (demo/purchase.py) with distinct order and
customer ids. A purchase that gets no 200 is retried after a pause, as Paddle
retries, so a 5xx is counted but does not by itself lose the order. Mails are
counted per order from the outbox's file names (`<time_ns>-<order>.eml`,
worker/mail/outbox.py), so the time each one went out is known to the ns.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from common.merchants._paddle_billing import sign_billing
from demo.purchase import purchase_body


def with_duplicates(order_ids: list[str], share: float, seed: int = 16) -> list[str]:
    """The ids with `share` of them sent twice in a row, as Paddle retries a slow webhook.

    Two clients then post the same order at about the same moment, so two
    deliveries of one order meet in the worker.
    """
    twice = set(random.Random(seed).sample(order_ids, round(len(order_ids) * share)))
    return [sent for order_id in order_ids for sent in [order_id] * (2 if order_id in twice else 1)]


RETRIES = 4  # further attempts after a failed one, as Paddle retries a webhook
RETRY_PAUSE = 1.0


@dataclass(frozen=True)
class Answer:
    order_id: str
    statuses: tuple[int, ...]  # every attempt's status; 0 when no answer came
    seconds: float  # the first attempt's latency

    @property
    def accepted(self) -> bool:
        return self.statuses[-1] == 200


def send_burst(url: str, secret: str, order_ids: list[str], clients: int) -> list[Answer]:
    """Post one purchase per entry from `clients` threads at once (an id twice: a retry)."""
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    local = threading.local()

    def post(n: int, order_id: str) -> int:
        body = purchase_body(order_id, customer_id=f"ctm_burst{n:07d}")
        headers = {
            "Content-Type": "application/json",
            "Paddle-Signature": sign_billing(body, secret, int(time.time())),
        }
        try:
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection(host, port, timeout=60)
            conn = local.conn
            conn.request("POST", "/webhooks/paddle", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            local.conn = None
            return 0

    customers = {order_id: n for n, order_id in enumerate(dict.fromkeys(order_ids))}

    def one(order_id: str) -> Answer:
        n = customers[order_id]
        started = time.perf_counter()
        statuses = [post(n, order_id)]
        seconds = time.perf_counter() - started
        while statuses[-1] != 200 and len(statuses) <= RETRIES:
            time.sleep(RETRY_PAUSE)
            statuses.append(post(n, order_id))
        return Answer(order_id, tuple(statuses), seconds)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return list(pool.map(one, order_ids))


def mail_times(outbox: Path) -> dict[str, list[int]]:
    """Order id -> the ns each of its mails was written, from the outbox file names."""
    times: dict[str, list[int]] = defaultdict(list)
    for path in outbox.glob("*.eml"):
        stamp, _, rest = path.name.partition("-")
        times[rest.removesuffix(".eml")].append(int(stamp))
    return times


def wait_for_mails(outbox: Path, orders: Iterable[str], stall: float) -> dict[str, list[int]]:
    """Poll until every order has a mail, or no new mail came for `stall` seconds."""
    wanted = set(orders)
    seen, last_change = -1, time.monotonic()
    while True:
        times = mail_times(outbox)
        count = sum(map(len, times.values()))
        if wanted <= times.keys():
            return times
        if count != seen:
            seen, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > stall:
            return times
        time.sleep(0.25)


def settle(outbox: Path, access_log: Path, spool: Path | None, quiet: float) -> None:
    """Wait until nothing is queued and no mail or push answer came for `quiet` seconds.

    A second mail for an order would come from a redelivery after the first, so
    doubles are counted only once the stack has gone quiet.
    """
    deadline = time.monotonic() + 300
    state, since = None, time.monotonic()
    while time.monotonic() < deadline:
        pending = len(list(spool.glob("*.json"))) if spool else 0
        now = (len(list(outbox.glob("*.eml"))), _size(access_log), pending)
        if now != state:
            state, since = now, time.monotonic()
        elif pending == 0 and time.monotonic() - since >= quiet:
            return
        time.sleep(0.25)


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@dataclass(frozen=True)
class WorkerLog:
    events: Counter[str]  # `event` field of the worker's JSON lines
    severities: Counter[str]
    stamp_seconds: list[float]  # copies_stored: stamping and storing one order's copies
    push_status: Counter[int]  # gunicorn access log: the worker's answer to each push
    push_ms: list[float]


def read_worker_log(log: Path, access_log: Path) -> WorkerLog:
    events: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    stamp_seconds: list[float] = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # gunicorn's own lines
        if not isinstance(entry, dict):
            continue
        severities[entry.get("severity", "?")] += 1
        if "event" in entry:
            events[entry["event"]] += 1
        if entry.get("event") == "copies_stored":
            stamp_seconds.append(float(entry["stamp_seconds"]))
    push_status: Counter[int] = Counter()
    push_ms: list[float] = []
    for line in access_log.read_text().splitlines() if access_log.exists() else []:
        status, micros, path = line.split()
        if path != "/pubsub/push":
            continue  # the health checks before the burst
        push_status[int(status)] += 1
        push_ms.append(int(micros) / 1000)
    return WorkerLog(events, severities, stamp_seconds, push_status, push_ms)


def quantiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 (the same cut as bench/webhooks.py)."""
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[98]
