"""The stacks a burst runs on, started as the image runs them.

- embedded: folder storage, the local push publisher, the outbox mailer and the
  offline customer stand-in: what `make run` starts.
- emulators: STORAGE_BACKEND=gcs and PUBLISH_BACKEND=pubsub with the real Google
  clients against gcp-storage-emulator (in this process, as `make run-emulators`)
  and the Pub/Sub emulator, a push subscription to the worker as
  demo/emulators sets it up (PUSH_AUTH=false: the emulator pushes without a
  token), and the worker looking buyers up through the real Paddle client
  against tests/support/paddle_standin.py.
- latency: the real storage client against the storage emulator behind
  SlowStorage (bench/burst_probes.py), pushes from the local publisher.

Both apps run under gunicorn with gunicorn.conf.py; `--threads` on the command
line overrides the worker's threads there (gunicorn: the command line wins over
the config file). Each app's output goes to a log file the bench parses; the
worker also writes a gunicorn access log (status, microseconds, path).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from burst_probes import SlowStorage, count_storage_requests, counting_opens
from google.api_core.exceptions import DeadlineExceeded
from google.cloud import pubsub_v1

from common.settings import DEMO_WEBHOOK_SECRET, Settings
from demo.emulators import PROJECT, PubSubEmulator, StorageEmulator
from demo.emulators.__main__ import SOURCE, TOPIC, emulator_env, throwaway_key, upload_sample
from demo.emulators.topology import create_push_topology
from demo.purchase import SAMPLE_SOURCE, ensure_sample_book
from demo.stack import ROOT, die_with_parent, free_port, gunicorn_command, stack_env, wait_healthy
from tests.support.paddle_standin import PaddleStandIn

PADDLE_KEY = "pdl_burst_stand-in"
ACCESS_FORMAT = "%(s)s %(D)s %(U)s"  # status, µs and path of each request answered


@dataclass
class Burstable:
    """A running stack: where to send, where mail lands, what to read before it stops."""

    service_url: str
    worker_url: str
    data_dir: Path
    service_pid: int
    worker_pid: int
    secret: str = ""
    spool: Path | None = None  # embedded: envelopes the worker has not acknowledged yet
    original_reads: Counter[str] = field(default_factory=Counter)  # ["reads"]
    storage_requests: Counter[str] = field(default_factory=Counter)  # emulators: by kind
    exhausted: Callable[[], int] = lambda: 0  # deliveries Pub/Sub gave up on (dead-letter topic)
    throttled: Callable[[], int] = lambda: 0  # writes answered 429 (latency stack, write limit)
    storage_ms: Callable[[], float] = lambda: 0.0  # mean time a storage request took (cloud)

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def log(self, app: str) -> Path:
        return self.data_dir / "logs" / f"{app}.log"


@contextmanager
def embedded_stack(data_dir: Path, threads: int, book: bytes | None = None) -> Iterator[Burstable]:
    """`make run`'s stack; the local publisher pushes `threads` at once, as Cloud Run would.

    `book` replaces the 48-page sample as the product's original.
    """
    original = ensure_sample_book(Settings.from_env({"LOCAL_DATA_DIR": str(data_dir)}))
    if book is not None:
        original.write_bytes(book)
    env = {
        "STORAGE_BACKEND": "local",
        "PUBLISH_BACKEND": "local",
        "SENDGRID_API_KEY": "",
        "PADDLE_API_KEY": "",
        "CATALOG": str(ROOT / "sample" / "catalog.toml"),
        "LOCAL_PUSH_CONCURRENCY": str(threads),
    }
    with counting_opens(original) as reads, _apps(data_dir, threads, env) as burst:
        burst.secret = DEMO_WEBHOOK_SECRET
        burst.spool = data_dir / "spool"
        burst.original_reads = reads
        yield burst


@contextmanager
def emulator_stack(data_dir: Path, threads: int) -> Iterator[Burstable]:
    """`make run-emulators`' stack: the real clients against both emulators."""
    pubsub = PubSubEmulator(data_dir / "pubsub")
    with _cloud_stack(data_dir, threads, pubsub, 0.0, 0.0, None) as burst:
        yield burst


@contextmanager
def latency_stack(
    data_dir: Path, threads: int, latency: float, write_gap: float = 0.0, book: bytes | None = None
) -> Iterator[Burstable]:
    """Cloud Storage `latency` seconds away, and pushes from the local publisher.

    The real storage client talks to the storage emulator through a proxy that
    holds each request for `latency` seconds, all at once, as a network would.
    The local publisher pushes `threads` at a time: the Pub/Sub emulator pushes
    at most 2 at once, so it cannot load more threads than that.
    """
    with _cloud_stack(data_dir, threads, None, latency, write_gap, book) as burst:
        yield burst


@contextmanager
def _cloud_stack(
    data_dir: Path,
    threads: int,
    pubsub: PubSubEmulator | None,
    latency: float,
    write_gap: float,
    book: bytes | None,
) -> Iterator[Burstable]:
    storage = StorageEmulator().start()
    requests = count_storage_requests()
    proxy = SlowStorage(storage.endpoint, latency, write_gap)
    proxy.start()
    paddle = PaddleStandIn(api_key=PADDLE_KEY, any_customer=True).start()
    try:
        upload_sample(storage)
        if book is not None:
            storage.client().bucket(SOURCE).blob(SAMPLE_SOURCE).upload_from_string(book)
        with tempfile.TemporaryDirectory(prefix="exlibris-burst-") as keys:
            # An emulator that never starts only names a host for the env; the local
            # publisher replaces it below.
            key = throwaway_key(Path(keys))
            env = emulator_env(storage, pubsub or PubSubEmulator(data_dir), key)
            env |= {"PADDLE_API_URL": paddle.url, "PADDLE_API_KEY": PADDLE_KEY}
            env |= {"STORAGE_EMULATOR_HOST": proxy.url}
            if pubsub is None:
                env |= {"PUBLISH_BACKEND": "local", "LOCAL_PUSH_CONCURRENCY": str(threads)}
                env.pop("PUBSUB_EMULATOR_HOST")
            else:
                pubsub.start()
            with _apps(data_dir, threads, env) as burst:
                if pubsub is not None:
                    burst.exhausted = _push_topology(pubsub, burst.worker_url)
                requests.clear()  # set-up and start-up are not the burst's
                burst.secret = env["PADDLE_WEBHOOK_SECRET"]
                burst.spool = None if pubsub else data_dir / "spool"
                burst.storage_requests = requests
                burst.original_reads = requests  # its "reads" key: media GETs of the original
                burst.throttled = lambda: proxy.throttled
                burst.storage_ms = lambda: proxy.mean_ms
                yield burst
    finally:
        if pubsub is not None:
            pubsub.stop()
        for server in (paddle, proxy):
            server.stop()
        storage.stop()


def _push_topology(pubsub: PubSubEmulator, worker_url: str) -> Callable[[], int]:
    """The push subscription to the worker; returns a count of what it dead-lettered."""
    subscriber = pubsub.subscriber()
    topology = create_push_topology(
        pubsub.publisher(), subscriber, PROJECT, TOPIC, f"{worker_url}/pubsub/push"
    )
    return lambda: _pull_all(subscriber, topology.dead_letter_subscription)


@contextmanager
def _apps(data_dir: Path, threads: int, extra: dict[str, str]) -> Iterator[Burstable]:
    """Worker then service under gunicorn, healthy; stopped with SIGTERM on exit."""
    service_port, worker_port = free_port(), free_port()
    env = stack_env(data_dir, service_port, worker_port, **extra)
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    worker_args = ["--threads", str(threads), "--access-logformat", ACCESS_FORMAT]
    worker_args += ["--access-logfile", str(logs / "worker-access.log")]
    worker = _start("worker", worker_port, env, logs / "worker.log", worker_args)
    service = _start("service", service_port, env, logs / "service.log", [])
    burst = Burstable(
        f"http://127.0.0.1:{service_port}",
        f"http://127.0.0.1:{worker_port}",
        data_dir,
        service.pid,
        worker.pid,
    )
    try:
        wait_healthy(burst.worker_url, worker)
        wait_healthy(burst.service_url, service)
        yield burst
    finally:
        for proc in (service, worker):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _start(
    app: str, port: int, env: dict[str, str], log: Path, args: list[str]
) -> subprocess.Popen[bytes]:
    command = gunicorn_command(app, "127.0.0.1", port)
    command[-1:-1] = args  # options go before the app target
    with open(log, "wb") as out:
        return subprocess.Popen(
            command,
            env={**env, "APP": app},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def _pull_all(subscriber: pubsub_v1.SubscriberClient, subscription: str) -> int:
    """How many messages wait on a pull subscription (the emulator answers an empty pull late)."""
    try:
        answer = subscriber.pull(subscription=subscription, max_messages=1000, timeout=5)
    except DeadlineExceeded:
        return 0
    return len(answer.received_messages)
