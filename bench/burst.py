"""A launch burst, end to end: signed purchases from many clients until every mail is out.

    .venv/bin/python bench/burst.py [--orders 1000] [--clients 32] [--only PARTS]
        [--repeats 2] [--sweep 1,2,4] [--latency-sweep 1,2,4,8] [--throttled-sweep 2,4,8]
        [--emulator-orders 200] [--book-pages N] [--keep DIR]   (--help: every size)

Parts (--only, comma-separated; all by default):
- embedded: `--orders` correctly signed Billing purchases of the sample book
  (distinct orders and customers) from `--clients` concurrent clients against
  the embedded stack under gunicorn, the worker at gunicorn.conf.py's threads.
- duplicates: the same with `--duplicates` of the webhooks sent twice at once,
  as Paddle retries, so two deliveries of one order meet in the worker.
- sweep: embedded at each of `--sweep` worker threads (1 process).
- latency: the real storage client with each storage request `--storage-latency`
  away, at each of `--latency-sweep` threads: what threads buy in the cloud.
- throttled: the same with Cloud Storage's one write per second per object
  enforced (its worst case), at each of `--throttled-sweep` threads.
- emulators: `--emulator-orders` through the Pub/Sub and storage emulators
  with the real Google clients (bench/burst_stacks.py).
Sweeps run `--repeats` times, settings interleaved: the machine's cores are
shared with other jobs, so the spread between repeats is part of the result.

Each run prints webhook p50/p99, the time until every order's mail is out
(the last first mail, from the outbox), orders mailed per minute per worker
process, lost (no mail), doubled (two mails for one order) and 5xx counts,
plans prepared and reads of the original (counted outside the worker), the
worker's CPU per order and peak memory. Then the worker compute per 1,000
orders for three worker sizes, one instance's throughput and the full cost
per 1,000 orders at list prices (bench/burst_report.py, bench/burst_cost.py).
Exits 1 if an order was lost or doubled, a webhook got a 5xx, the worker
answered a 5xx other than the 503 a second delivery of an order being mailed
gets, something was dead-lettered, or an instance prepared the plan other than
once. A benchmark, never a timed test: the load generator, both apps and the
emulators share the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from burst_load import (
    mail_times,
    quantiles,
    read_worker_log,
    send_burst,
    settle,
    wait_for_mails,
    with_duplicates,
)
from burst_probes import cpu_seconds, machine_busy, peak_rss_mb
from burst_report import Figures, print_cost, print_figures, print_sweep
from burst_stacks import Burstable, embedded_stack, emulator_stack, latency_stack

from demo.sample_book import make_sample_book
from demo.stack import GUNICORN_CONF

STALL_SECONDS = 90  # no new mail for this long: the rest is lost
QUIET_SECONDS = 3  # after the last mail, for a redelivery to show a double


@dataclass(frozen=True)
class Run:
    kind: str  # embedded, latency or emulators
    orders: int
    clients: int
    threads: int
    latency: float = 0.0  # latency: seconds added to each storage request
    duplicates: float = 0.0  # share of orders whose webhook is sent twice at once
    write_gap: float = 0.0  # latency: an object written again sooner answers 429
    book_pages: int = 0  # an image book of this many pages instead of the sample (not emulators)

    @property
    def label(self) -> str:
        if self.duplicates:
            return f"{self.kind}, {self.duplicates:.0%} of the webhooks twice"
        if self.kind != "latency":
            return self.kind
        limit = f", 1 write per {self.write_gap:g} s per object" if self.write_gap else ""
        return f"storage {self.latency * 1000:.0f} ms away{limit}"

    def stack(self, folder: Path) -> AbstractContextManager[Burstable]:
        book = make_sample_book(self.book_pages, images=True) if self.book_pages else None
        if self.kind == "embedded":
            return embedded_stack(folder, self.threads, book)
        if self.kind == "latency":
            return latency_stack(folder, self.threads, self.latency, self.write_gap, book)
        return emulator_stack(folder, self.threads)


def run_burst(run: Run, keep: Path | None) -> Figures:
    folder = _folder(keep, f"{run.kind}-t{run.threads}-{run.orders}")
    try:
        return _measure(run, folder)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _measure(run: Run, folder: Path) -> Figures:
    orders = run.orders
    tag = uuid.uuid4().hex[:6]
    ids = [f"txn_burst{tag}{n:07d}" for n in range(orders)]
    with run.stack(folder) as burst:
        cpu_before = cpu_seconds(burst.worker_pid), cpu_seconds(burst.service_pid)
        busy_before = machine_busy()
        started = time.time_ns()
        sent = with_duplicates(ids, run.duplicates)
        answers = send_burst(burst.service_url, burst.secret, sent, run.clients)
        wait_for_mails(burst.outbox, ids, STALL_SECONDS)
        busy_after, worker_done = machine_busy(), cpu_seconds(burst.worker_pid)
        waited = (time.time_ns() - started) / 1e9
        settle(burst.outbox, burst.log("worker-access"), burst.spool, QUIET_SECONDS)
        worker_cpu = cpu_seconds(burst.worker_pid) - cpu_before[0]
        service_cpu = cpu_seconds(burst.service_pid) - cpu_before[1]
        peak = peak_rss_mb(burst.worker_pid)
        times = mail_times(burst.outbox)
        reads, storage = burst.original_reads["reads"], Counter(burst.storage_requests)
        dead = len(list((folder / "dead-letter").glob("*.json"))) + burst.exhausted()
        throttled, storage_ms = burst.throttled(), burst.storage_ms()
        copy = next(iter(sorted(folder.glob("storage/*/copies/*/*"))), None)
    log = read_worker_log(burst.log("worker"), burst.log("worker-access"))
    firsts = sorted(min(times[i]) for i in ids if i in times)
    all_mailed = (firsts[-1] - started) / 1e9 if len(firsts) == orders else float("nan")
    p50, p99 = quantiles([a.seconds * 1000 for a in answers])
    push50, push99 = quantiles(log.push_ms)
    statuses = [s for a in answers for s in a.statuses]
    return Figures(
        label=run.label,
        orders=orders,
        threads=run.threads,
        webhook_p50_ms=p50,
        webhook_p99_ms=p99,
        all_mailed_s=all_mailed,
        per_minute=orders / all_mailed * 60,
        lost=sum(1 for i in ids if i not in times),
        doubled=sum(1 for i in ids if len(times.get(i, ())) > 1),
        webhook_5xx=sum(1 for s in statuses if s >= 500),
        webhook_failed=sum(1 for s in statuses if s != 200 and s < 500),
        worker_5xx=sum(n for status, n in log.push_status.items() if status >= 500),
        worker_503=log.push_status[503],
        duplicates=len(sent) - len(ids),
        worker_pushes=sum(log.push_status.values()),
        plans=log.events["plan_prepared"],
        original_reads=reads,
        dead_letters=dead,
        stamp_p50_ms=statistics.median(log.stamp_seconds) * 1000 if log.stamp_seconds else 0.0,
        push_p50_ms=push50,
        push_p99_ms=push99,
        worker_cpu_ms=worker_cpu / orders * 1000,
        worker_cores=(worker_done - cpu_before[0]) / waited,
        machine_busy=(busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1]),
        worker_peak_mb=peak,
        service_cpu_ms=service_cpu / orders * 1000,
        storage=storage,
        throttled=throttled,
        storage_ms=storage_ms,
        copy_bytes=copy.stat().st_size if copy else 0,
    )


def _folder(keep: Path | None, name: str) -> Path:
    if keep is None:
        return Path(tempfile.mkdtemp(prefix=f"exlibris-burst-{name}-"))
    folder = keep / f"{name}-{time.strftime('%H%M%S')}"
    folder.mkdir(parents=True)
    return folder


def configured_threads() -> int:
    """The worker's threads in gunicorn.conf.py (it reads APP itself)."""
    saved = os.environ.get("APP")
    os.environ["APP"] = "worker"
    try:
        return int(runpy.run_path(str(GUNICORN_CONF))["threads"])
    finally:
        os.environ.pop("APP") if saved is None else os.environ.update(APP=saved)


def _threads(text: str) -> list[int]:
    return [int(n) for n in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--emulator-orders", type=int, default=200)
    parser.add_argument("--sweep", type=_threads, default=[1, 2, 4])
    parser.add_argument("--sweep-orders", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--latency-sweep", type=_threads, default=[1, 2, 4, 8])
    parser.add_argument("--latency-orders", type=int, default=100)
    parser.add_argument("--storage-latency", type=float, default=0.03, help="seconds")
    parser.add_argument("--throttled-sweep", type=_threads, default=[2, 4, 8])
    parser.add_argument("--throttled-orders", type=int, default=40)
    parser.add_argument("--duplicates", type=float, default=0.2, help="share sent twice")
    parser.add_argument("--duplicate-orders", type=int, default=500)
    parser.add_argument(
        "--book-pages",
        type=int,
        default=0,
        help="all but the emulator run sell an image book of N pages (1000: 14 MB), not the sample",
    )
    parser.add_argument("--only", default="embedded,duplicates,sweep,latency,throttled,emulators")
    parser.add_argument("--keep", type=Path, help="keep each run's data and logs under DIR")
    args = parser.parse_args()
    parts, threads = set(args.only.split(",")), configured_threads()
    results: list[Figures] = []
    if "embedded" in parts:
        run = Run("embedded", args.orders, args.clients, threads, book_pages=args.book_pages)
        results.append(run_burst(run, args.keep))
        print_figures(results[-1])
    if "duplicates" in parts:
        run = Run("embedded", args.duplicate_orders, args.clients, threads, 0.0, args.duplicates)
        results.append(run_burst(run, args.keep))
        print_figures(results[-1])
    sweeps = [
        ("sweep", "embedded", args.sweep, args.sweep_orders, 0.0),
        ("latency", "latency", args.latency_sweep, args.latency_orders, args.storage_latency),
        ("throttled", "latency", args.throttled_sweep, args.throttled_orders, args.storage_latency),
    ]
    for part, kind, counts, orders, latency in sweeps:
        if part not in parts:
            continue
        gap = 1.0 if part == "throttled" else 0.0
        pages = args.book_pages
        # Settings interleaved, so drifting load from other jobs spreads over all of them.
        rows = [
            run_burst(
                Run(kind, orders, args.clients, t, latency, write_gap=gap, book_pages=pages),
                args.keep,
            )
            for _ in range(args.repeats)
            for t in counts
        ]
        for row in rows:
            print_figures(row)
        print_sweep(rows)
        results += rows
    if "emulators" in parts:
        run = Run("emulators", args.emulator_orders, args.clients, threads)
        results.append(run_burst(run, args.keep))
        print_figures(results[-1])
    if results:
        print_cost(results)
    failed = [f"{r.label} t{r.threads}: {', '.join(r.failures)}" for r in results if r.failures]
    for line in failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
