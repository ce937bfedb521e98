"""A chaos run: orders through the stack while storage fails at random and the worker is killed.

    .venv/bin/python bench/chaos.py [--orders 1000] [--clients 8] [--threads 4]
        [--kill-every 20] [--fault-rate 0.05] [--hang 2] [--time-scale 1] [--seed 26]
        [--drain-timeout 1800] [--pubsub local|emulator]

What runs: the service and the worker under gunicorn (demo/stack.py, as the
image runs them), the local push publisher (the embedded stack's, with
Pub/Sub's schedule), the outbox mailer, and Cloud Storage through the real
Google client (STORAGE_BACKEND=gcs) against gcp-storage-emulator with a fault
proxy in front. The embedded stack's storage is a folder, which cannot answer
429 or hang, so storage faults can only be injected at HTTP level, on the
cloud adapter. The emulator ignores generation preconditions, on which "one
mail per order" rests, so the proxy enforces ifGenerationMatch on uploads
itself (one write at a time, the object's generation read from the emulator
first), answering 412 conditionNotMet as Cloud Storage does.

Faults, each storage request with probability `--fault-rate`, one of four alike:
- 429 rateLimitExceeded and 503 backendError, the bodies Cloud Storage sends
  (cloud.google.com/storage/docs/json_api/v1/status-codes);
- a hang: held `--hang` seconds, then the connection dropped unanswered and
  the request never applied;
- a lost answer: applied upstream, then held and dropped, so the client
  cannot know it succeeded (its retry of a conditional write then gets 412).
The client's own read timeout is 60 s (common/storage/gcs.py); a hang that
long per fault would make the run hours long, so a timeout here is the
connection cut after `--hang` seconds, which the client treats the same way
(a ConnectionError, retried by its policy or answered 503 by the worker).

`--pubsub emulator` puts the Pub/Sub emulator where the local publisher was:
the service publishes with the real client, and the emulator pushes to the
worker through a push subscription with the retry and dead-letter policies of
terraform/pubsub.tf (demo/emulators/topology.py), backoff scaled as below.
Stuck then counts messages on the dead-letter topic instead of the spool.

Every `--kill-every` seconds the worker's gunicorn (master and process) gets
SIGKILL and a fresh one starts on the same port, until every order has its
mail. `--time-scale` scales Pub/Sub's backoff (10 s to 600 s) and the mail
claim (300 s) together; 1 is the cloud's schedule.

Prints accepted webhooks, lost (an accepted order with no mail), doubled (more
than one), stuck (its record is not `mailed`, or its message is still spooled
or dead-lettered), the time from the first webhook until every mail is out and
the spool is empty, and the faults and kills injected. Exits 1 unless lost,
doubled and stuck are all 0. A benchmark, never a timed test.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from burst_load import mail_times, send_burst

from common.messages import decode, parse_envelope
from common.orders import OrderRecord
from common.orders._store import record_name
from demo.emulators import PROJECT, PubSubEmulator, StorageEmulator
from demo.emulators.__main__ import DELIVERY, emulator_env, throwaway_key, upload_sample
from demo.emulators.topology import PushTopology, create_push_topology
from demo.stack import Stack, running_stack
from tests.support.fault_proxy import RATE_LIMITED, FaultProxy, upload_name
from tests.support.http_standin import Recorded, Reply
from tests.support.paddle_standin import PaddleStandIn

PADDLE_KEY = "pdl_chaos_stand-in"
BACKEND_ERROR = {
    "error": {
        "code": 503,
        "message": "We encountered an internal error. Please try again.",
        "errors": [{"domain": "global", "reason": "backendError"}],
    }
}
CONDITION_NOT_MET = {
    "error": {
        "code": 412,
        "message": "At least one of the pre-conditions you specified did not hold.",
        "errors": [{"domain": "global", "reason": "conditionNotMet"}],
    }
}
FAULTS = ("429", "503", "hang", "lost answer")


class Dropped(ConnectionError):
    """Raised in the proxy's handler: the stand-in closes the connection without an answer."""


class ChaosStorage(FaultProxy):
    """The storage emulator behind random faults, with Cloud Storage's preconditions kept."""

    def __init__(self, upstream: str, rate: float, hang: float, seed: int) -> None:
        super().__init__(upstream)
        self.rate, self.hang = rate, hang
        self.faults: Counter[str] = Counter()
        self.preconditions_failed = 0
        self._random = random.Random(seed)
        self._dice = threading.Lock()
        self._conditional = threading.Lock()

    def respond(self, request: Recorded) -> Reply:
        self.requests.clear()  # the stand-in records every request; a long run keeps none
        with self._dice:
            fault = self._random.choice(FAULTS) if self._random.random() < self.rate else None
            if fault:
                self.faults[fault] += 1
        if fault == "429":
            return Reply(429, RATE_LIMITED)
        if fault == "503":
            return Reply(503, BACKEND_ERROR)
        if fault == "hang":
            time.sleep(self.hang)
            raise Dropped("held, then dropped unanswered")
        reply = self._forward(request)
        if fault == "lost answer":
            time.sleep(self.hang)
            raise Dropped("applied, then the answer was lost")
        return reply

    def _forward(self, request: Recorded) -> Reply:
        wanted = request.query.get("ifGenerationMatch")
        if request.method != "POST" or not request.path.startswith("/upload/") or not wanted:
            return super().respond(request)
        bucket = request.path.split("/b/", 1)[1].split("/", 1)[0]
        with self._conditional:  # check and write as one step, as Cloud Storage does
            if self._generation(bucket, upload_name(request)) != int(wanted[0]):
                self.preconditions_failed += 1
                return Reply(412, CONDITION_NOT_MET)
            return super().respond(request)

    def _generation(self, bucket: str, name: str) -> int:
        url = f"{self.upstream}/storage/v1/b/{bucket}/o/{quote(name, safe='')}"
        answer = self._session.get(url, timeout=30)
        return int(answer.json()["generation"]) if answer.ok else 0


def kill_worker_every(stack: Stack, seconds: float, done: threading.Event, kills: list[float]):
    """SIGKILL the worker and start a fresh one every `seconds`, until `done`."""

    def run() -> None:
        while not done.wait(seconds):
            stack.restart_worker()
            kills.append(time.monotonic())

    thread = threading.Thread(target=run, name="killer", daemon=True)
    thread.start()
    return thread


def records(emulator: StorageEmulator, order_ids: list[str]) -> dict[str, str]:
    """Order id -> its record's status, read from the emulator directly (no faults)."""
    bucket = emulator.client().bucket(DELIVERY)
    statuses: dict[str, str] = {}
    for order_id in order_ids:
        blob = bucket.get_blob(record_name(order_id))
        statuses[order_id] = OrderRecord.from_json(blob.download_as_bytes()).status if blob else ""
    return statuses


def spooled_orders(folder: Path) -> Counter[str]:
    """Order id -> messages for it in a spool or dead-letter folder."""
    found: Counter[str] = Counter()
    for path in folder.glob("*.json"):
        try:
            message = parse_envelope(json.loads(path.read_text())).message
        except (OSError, ValueError):
            continue
        found[getattr(message, "order_id", "?")] += 1
    return found


def run(args: argparse.Namespace) -> int:
    scale = args.time_scale
    schedule = {
        "LOCAL_PUSH_MIN_BACKOFF": f"{10 * scale:g}",
        "LOCAL_PUSH_MAX_BACKOFF": f"{600 * scale:g}",
        "MAIL_CLAIM_SECONDS": str(max(1, round(300 * scale))),
        "LOCAL_PUSH_CONCURRENCY": str(args.threads),
    }
    emulator = StorageEmulator().start()
    proxy = ChaosStorage(emulator.endpoint, 0.0, args.hang, args.seed).start()
    paddle = PaddleStandIn(api_key=PADDLE_KEY, any_customer=True).start()
    with tempfile.TemporaryDirectory(prefix="exlibris-chaos-") as tmp:
        data_dir = Path(tmp) / "var"
        pubsub = PubSubEmulator(Path(tmp) / "pubsub").start() if args.pubsub == "emulator" else None
        upload_sample(emulator)
        env = emulator_env(emulator, pubsub or _NoPubSub(), throwaway_key(Path(tmp)))
        env |= {"STORAGE_EMULATOR_HOST": proxy.url}
        env |= {"PADDLE_API_URL": paddle.url, "PADDLE_API_KEY": PADDLE_KEY, **schedule}
        if pubsub is None:
            env["PUBLISH_BACKEND"] = "local"
            env.pop("PUBSUB_EMULATOR_HOST", None)
        tag = uuid.uuid4().hex[:6]
        order_ids = [f"txn_chaos{tag}{n:07d}" for n in range(args.orders)]
        print(
            f"chaos: {args.orders} orders from {args.clients} clients, worker {args.threads} "
            f"threads, storage faults {args.fault_rate:.0%} of requests (429, 503, hang "
            f"{args.hang:g} s, lost answer), worker SIGKILLed every {args.kill_every:g} s, "
            f"backoff {schedule['LOCAL_PUSH_MIN_BACKOFF']}-{schedule['LOCAL_PUSH_MAX_BACKOFF']} "
            f"s, claim {schedule['MAIL_CLAIM_SECONDS']} s",
            flush=True,
        )
        with running_stack(data_dir, extra_env=env) as stack:
            topology = pubsub and push_to_worker(pubsub, stack.worker_url, scale, env)
            proxy.rate = args.fault_rate
            outbox, done, kills = data_dir / "outbox", threading.Event(), []
            started = time.monotonic()
            killer = kill_worker_every(stack, args.kill_every, done, kills)
            answers = send_burst(
                stack.service_url, env["PADDLE_WEBHOOK_SECRET"], order_ids, args.clients
            )
            accepted = [a.order_id for a in answers if a.accepted]
            print(
                f"webhooks: {len(accepted)} of {len(order_ids)} accepted "
                f"in {time.monotonic() - started:.0f} s",
                flush=True,
            )
            drained = wait_drained(
                outbox, data_dir / "spool", accepted, started, args.drain_timeout
            )
            done.set()
            killer.join()
            proxy.rate = 0.0
            time.sleep(3)  # a redelivery in flight would show a second mail now
            dead = dead_lettered(pubsub, topology) if pubsub and topology else None
            report = figures(emulator, data_dir, accepted, order_ids, started, drained, dead)
        if pubsub:
            pubsub.stop()
    for server in (paddle, proxy):
        server.stop()
    emulator.stop()
    report["kills"] = len(kills)
    report["faults"] = dict(proxy.faults)
    report["412 conditionNotMet"] = proxy.preconditions_failed
    print(json.dumps(report, indent=1))
    return 0 if report["lost"] == report["doubled"] == report["stuck"] == 0 else 1


def push_to_worker(
    pubsub: PubSubEmulator, worker_url: str, scale: float, env: dict[str, str]
) -> PushTopology:
    """The topic the service publishes to, pushing to the worker as terraform/pubsub.tf does."""
    return create_push_topology(
        pubsub.publisher(),
        pubsub.subscriber(),
        PROJECT,
        env["PUBSUB_TOPIC"],
        f"{worker_url}/pubsub/push",
        max_delivery_attempts=10,  # terraform/variables.tf max_delivery_attempts
        minimum_backoff=max(1.0, 10 * scale),  # the emulator raises anything below 1 s to 1 s
        maximum_backoff=600 * scale,
    )


def dead_lettered(pubsub: PubSubEmulator, topology: PushTopology) -> Counter[str]:
    """Order id -> messages for it on the dead-letter topic (pulled, then acknowledged)."""
    found: Counter[str] = Counter()
    subscriber = pubsub.subscriber()
    while True:
        pulled = subscriber.pull(
            subscription=topology.dead_letter_subscription, max_messages=100, timeout=10
        )
        if not pulled.received_messages:
            return found
        for received in pulled.received_messages:
            try:
                found[getattr(decode(received.message.data), "order_id", "?")] += 1
            except ValueError:
                found["?"] += 1
        subscriber.acknowledge(
            subscription=topology.dead_letter_subscription,
            ack_ids=[r.ack_id for r in pulled.received_messages],
        )


def wait_drained(
    outbox: Path, spool: Path, orders: list[str], started: float, limit: float
) -> float | None:
    """Seconds from `started` until every order has a mail and nothing is spooled (or None)."""
    wanted = set(orders)
    last = -1
    while time.monotonic() - started < limit:
        mailed = wanted & mail_times(outbox).keys()
        if len(mailed) != last:
            last = len(mailed)
            print(
                f"  {time.monotonic() - started:6.0f} s: {last} of {len(wanted)} mailed", flush=True
            )
        if mailed == wanted and not any(spool.glob("*.json")):
            return time.monotonic() - started
        time.sleep(1)
    return None


def figures(
    emulator: StorageEmulator,
    data_dir: Path,
    accepted: list[str],
    order_ids: list[str],
    started: float,
    drained: float | None,
    dead_letter_topic: Counter[str] | None = None,
) -> dict[str, object]:
    mails = mail_times(data_dir / "outbox")
    statuses = records(emulator, accepted)
    pending = spooled_orders(data_dir / "spool") + spooled_orders(data_dir / "dead-letter")
    pending += dead_letter_topic or Counter()
    stuck = [o for o in accepted if statuses[o] != "mailed" or pending[o]]
    return {
        "orders": len(order_ids),
        "webhooks accepted": len(accepted),
        "lost": sum(1 for o in accepted if not mails.get(o)),
        "doubled": sum(1 for o in order_ids if len(mails.get(o, [])) > 1),
        "stuck": len(stuck),
        "dead-lettered": len(list((data_dir / "dead-letter").glob("*.json")))
        + sum((dead_letter_topic or Counter()).values()),
        "seconds to drain": round(drained, 1) if drained is not None else "not drained",
        "examples stuck": stuck[:5],
    }


class _NoPubSub:
    """emulator_env asks the Pub/Sub emulator for its variables; the local publisher needs none."""

    def env(self) -> dict[str, str]:
        return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4, help="the worker's, and pushes in flight")
    parser.add_argument("--kill-every", type=float, default=20.0)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--hang", type=float, default=2.0)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--pubsub", choices=("local", "emulator"), default="local")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
