"""What a burst prints: its figures, a sweep's spread, and one instance's throughput and cost.

The cost compares worker sizes on each measured scenario: instance-seconds per
1,000 orders are 1,000 divided by the orders per second one instance mailed,
at the thread count of that size; a size whose thread count was not measured
in a scenario is left out. See bench/burst_cost.py for the prices.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from burst_cost import INSTANCE_BASED, REQUEST_BASED, Instance, Measured, cost_lines, per_second

from common.catalog import load_catalog

# Worker sizes compared: terraform/run.tf before issue 16, the same threads on one
# vCPU, and what the figures recommend (terraform/run.tf and gunicorn.conf.py now).
SIZES = (
    Instance(vcpu=2, gib=2, threads=2),
    Instance(vcpu=1, gib=2, threads=2),
    Instance(vcpu=1, gib=4, threads=4),
)
RECOMMENDED = SIZES[-1]
# One plan per stamped file of the product sold (its PDF and its EPUB), per instance.
SAMPLE_CATALOG = Path(__file__).resolve().parent.parent / "sample" / "catalog.toml"
PLANS_WANTED = sum(f.stamp for p in load_catalog(str(SAMPLE_CATALOG)).products for f in p.files)


@dataclass(frozen=True)
class Figures:
    label: str
    orders: int
    threads: int
    webhook_p50_ms: float
    webhook_p99_ms: float
    all_mailed_s: float
    per_minute: float  # orders mailed per minute per worker process (1 process)
    lost: int
    doubled: int
    webhook_5xx: int
    webhook_failed: int  # answers neither 200 nor 5xx, and no answer at all
    worker_5xx: int
    worker_503: int  # of those, "retry later" (a second delivery of an order being mailed)
    duplicates: int  # webhooks sent twice
    worker_pushes: int
    plans: int
    original_reads: int
    dead_letters: int
    stamp_p50_ms: float
    push_p50_ms: float
    push_p99_ms: float
    worker_cpu_ms: float  # per order
    worker_cores: float  # worker CPU seconds per second until every mail was out
    machine_busy: float  # share of all the machine's cores busy meanwhile (every process)
    worker_peak_mb: float
    service_cpu_ms: float  # per webhook
    storage: Counter[str]
    throttled: int  # storage writes answered 429 (the modelled per-object write limit)
    storage_ms: float  # mean time one storage request took, latency added and emulator
    copy_bytes: int

    @property
    def failures(self) -> list[str]:
        found = [
            f"{name} {value}"
            for name, value in (
                ("lost", self.lost),
                ("doubled", self.doubled),
                ("webhook 5xx", self.webhook_5xx),
                ("webhook failed", self.webhook_failed),
                # Two deliveries of one order at once: the later answers 503 by design.
                ("worker 5xx", self.worker_5xx - (self.worker_503 if self.duplicates else 0)),
                ("dead letters", self.dead_letters),
            )
            if value
        ]
        if self.plans != PLANS_WANTED:
            found.append(f"plans prepared {self.plans} (want {PLANS_WANTED})")
        return found


def print_figures(f: Figures) -> None:
    twice = f", {f.duplicates} of them sent twice at once" if f.duplicates else ""
    print(
        f"\n{f.label}: {f.orders} orders{twice}, worker 1 process x {f.threads} threads\n"
        f"  webhook           p50 {f.webhook_p50_ms:7.1f} ms   p99 {f.webhook_p99_ms:7.1f} ms\n"
        f"  every mail out    {f.all_mailed_s:7.1f} s after the first webhook\n"
        f"  mailed            {f.per_minute:7.0f} orders/min per worker process\n"
        f"  lost {f.lost}   doubled {f.doubled}   webhook 5xx {f.webhook_5xx}   "
        f"webhook failed {f.webhook_failed}   worker 5xx {f.worker_5xx} ({f.worker_503} were 503) "
        f"of {f.worker_pushes} pushes   dead letters {f.dead_letters}\n"
        f"  plans prepared    {f.plans}   reads of the original {f.original_reads}\n"
        f"  worker            copies {f.stamp_p50_ms:.1f} ms p50 per order, push answered "
        f"p50 {f.push_p50_ms:.1f} ms p99 {f.push_p99_ms:.1f} ms\n"
        f"                    CPU {f.worker_cpu_ms:.1f} ms per order, {f.worker_cores:.2f} cores "
        f"in use (machine {f.machine_busy * 100:.0f} % busy), peak {f.worker_peak_mb:.0f} MB\n"
        f"  service           CPU {f.service_cpu_ms:.1f} ms per webhook"
    )
    if f.storage:
        per_order = ", ".join(
            f"{kind} {n / f.orders:.2f}" for kind, n in sorted(f.storage.items()) if kind != "reads"
        )
        print(f"  storage requests  per order: {per_order}")
        print(f"                    {f.storage_ms:.0f} ms each on average, the emulator included")
    if f.throttled:
        print(f"  storage 429s      {f.throttled / f.orders:.2f} per order (retried by the client)")
    if f.failures:
        print(f"  FAILED: {', '.join(f.failures)}")


def print_sweep(rows: list[Figures]) -> None:
    print(f"\n{rows[0].label}, worker threads (1 process): orders/min each repeat, and spread")
    print(f"  {'threads':>7}  {'orders/min':<24} {'every mail out s':<22} {'CPU ms/order':<16}")
    for threads in sorted({r.threads for r in rows}):
        runs = [r for r in rows if r.threads == threads]
        rates = [r.per_minute for r in runs]
        spread = (max(rates) - min(rates)) / statistics.mean(rates) * 100
        print(
            f"  {threads:>7}  {' '.join(f'{r:6.0f}' for r in rates):<14} ±{spread / 2:4.0f} %   "
            f"{' '.join(f'{r.all_mailed_s:6.1f}' for r in runs):<22} "
            f"{' '.join(f'{r.worker_cpu_ms:5.1f}' for r in runs)}"
        )


def rate(rows: list[Figures], label: str, threads: int) -> float | None:
    """Median orders per second of the runs of one scenario at one thread count."""
    rates = [r.per_minute / 60 for r in rows if r.label == label and r.threads == threads]
    return statistics.median(rates) if rates else None


def print_cost(rows: list[Figures]) -> None:
    labels = list(dict.fromkeys(r.label for r in rows))
    heads = [f"{s.vcpu:g} vCPU {s.gib:g} GiB x{s.threads}" for s in SIZES]
    print(
        "\nworker compute per 1,000 orders at list prices, request-based billing "
        "(instance-based in brackets), from each scenario's measured rate:"
    )
    print(f"  {'scenario':<44}" + "".join(f"{h:>24}" for h in heads))
    for label in labels:
        cells = []
        for size in SIZES:
            found = rate(rows, label, size.threads)
            cells.append(
                f"${1000 / found * per_second(size, REQUEST_BASED):.4f} "
                f"(${1000 / found * per_second(size, INSTANCE_BASED):.4f})"
                if found
                else "-"
            )
        print(f"  {label:<44}" + "".join(f"{c:>24}" for c in cells))
    _print_instance(rows, labels)


def _print_instance(rows: list[Figures], labels: list[str]) -> None:
    size = RECOMMENDED
    counted = [r for r in rows if r.storage]
    storage = sum((r.storage for r in counted), Counter())
    orders = sum(r.orders for r in counted) or 1
    print(f"\none worker instance, {size.vcpu:g} vCPU {size.gib:g} GiB, {size.threads} threads:")
    for label in labels:
        found = rate(rows, label, size.threads)
        if found:
            print(f"  {label:<44} {found * 60:6.0f} orders/min ({found:.2f}/s)")
    print("  at most, with one process on at most one core (1 core / median CPU per order):")
    for label in labels:
        cpu = statistics.median(r.worker_cpu_ms for r in rows if r.label == label) / 1000
        print(f"    {label:<42} {60 / cpu:6.0f} orders/min = 1 core / {cpu * 1000:.1f} ms")
    cloudlike = [label for label in labels if label.startswith("storage") and "write" not in label]
    found = rate(rows, cloudlike[0], size.threads) if cloudlike else None
    if not found:
        return
    measured = Measured(
        orders_per_second=found,
        service_cpu_seconds=statistics.median(r.service_cpu_ms for r in rows) / 1000,
        class_a=sum(n for k, n in storage.items() if k.startswith("A ")) / orders,
        class_b=sum(n for k, n in storage.items() if k.startswith("B ")) / orders,
        copy_bytes=max(r.copy_bytes for r in rows),
    )
    for prices in (REQUEST_BASED, INSTANCE_BASED):
        print(f"\ncost per 1,000 orders, {prices.name} billing, at the rate of {cloudlike[0]}:")
        print("\n".join(cost_lines(measured, size, prices)))
