"""What a burst costs on Google Cloud at list prices, from the figures a burst measured.

List prices in USD, Tier 1 regions (us-central1, europe-west1, ...), beyond the
free tiers, as published on the vendors' pricing pages:

- Cloud Run (https://cloud.google.com/run/pricing): instance-based billing
  $0.000018 per vCPU-second and $0.000002 per GiB-second, no request fee;
  request-based billing $0.000024 per vCPU-second, $0.0000025 per GiB-second
  and $0.40 per million requests. Billed per 100 ms of instance time.
- Pub/Sub (https://cloud.google.com/pubsub/pricing): throughput $40 per TiB,
  at least 1000 bytes per publish and per push request.
- Cloud Storage (https://cloud.google.com/storage/pricing, Standard, regional):
  Class A operations (insert, patch, list) $0.005 per 1,000, Class B (get,
  metadata) $0.0004 per 1,000, storage $0.020 per GB-month.
SendGrid is not included.

The arithmetic is printed line by line, so a reader can check it and redo it
with other prices.
"""

from __future__ import annotations

from dataclasses import dataclass

TIB = 2**40


@dataclass(frozen=True)
class RunPrices:
    name: str
    vcpu_second: float
    gib_second: float
    per_request: float


INSTANCE_BASED = RunPrices("instance-based", 0.000018, 0.000002, 0.0)
REQUEST_BASED = RunPrices("request-based", 0.000024, 0.0000025, 0.40 / 1e6)
PUBSUB_PER_BYTE = 40.0 / TIB
PUBSUB_MIN_BYTES = 1000
GCS_CLASS_A = 0.005 / 1000
GCS_CLASS_B = 0.0004 / 1000
GCS_GB_MONTH = 0.020


@dataclass(frozen=True)
class Measured:
    """Per order, from a burst: the inputs of the cost."""

    orders_per_second: float  # one worker instance, as measured
    service_cpu_seconds: float  # service CPU per webhook
    class_a: float  # storage operations per order (both apps), from the emulator run
    class_b: float
    copy_bytes: int  # the stamped copy kept per order


@dataclass(frozen=True)
class Instance:
    """A worker size on Cloud Run (gunicorn threads = its concurrency), beside the service's."""

    vcpu: float
    gib: float
    threads: int
    service_vcpu: float = 1.0  # terraform/run.tf: the service's size
    service_gib: float = 0.5


def per_second(size: Instance, prices: RunPrices) -> float:
    """What one busy worker instance of this size costs per second."""
    return size.vcpu * prices.vcpu_second + size.gib * prices.gib_second


def cost_lines(m: Measured, size: Instance, prices: RunPrices, orders: int = 1000) -> list[str]:
    """The cost of `orders` orders, one line per part, with its arithmetic."""
    worker_s = orders / m.orders_per_second
    service_s = orders * m.service_cpu_seconds / size.service_vcpu  # CPU bound at 8 at once
    service_rate = size.service_vcpu * prices.vcpu_second + size.service_gib * prices.gib_second
    requests = 2 * orders  # one webhook, one push
    pubsub_bytes = 2 * orders * PUBSUB_MIN_BYTES  # publish + push, each under 1000 bytes
    parts = [
        (
            f"worker   {orders} / {m.orders_per_second:.2f} orders/s = {worker_s:.1f} instance-s"
            f" x ({size.vcpu:g} vCPU x ${prices.vcpu_second} + {size.gib:g} GiB x "
            f"${prices.gib_second})",
            worker_s * per_second(size, prices),
        ),
        (
            f"service  {orders} x {m.service_cpu_seconds * 1000:.1f} ms CPU = {service_s:.1f}"
            f" instance-s x ${service_rate:.7f}/s",
            service_s * service_rate,
        ),
        (f"requests {requests} x ${prices.per_request * 1e6:.2f}/M", requests * prices.per_request),
        (
            f"Pub/Sub  {pubsub_bytes} B (2 x 1000 B minimum per order) x $40/TiB",
            pubsub_bytes * PUBSUB_PER_BYTE,
        ),
        (
            f"storage  {orders} x ({m.class_a:.1f} class A x $0.005/1000 + {m.class_b:.1f}"
            " class B x $0.0004/1000)",
            orders * (m.class_a * GCS_CLASS_A + m.class_b * GCS_CLASS_B),
        ),
    ]
    total = sum(cost for _, cost in parts)
    lines = [f"  {text:<104} ${cost:.5f}" for text, cost in parts]
    label = f"total per {orders} orders ({prices.name})"
    lines.append(f"  {label:<104} ${total:.5f}")
    kept = orders * m.copy_bytes / 1e9
    lines.append(
        f"  {'+ keeping the copies: ' + f'{kept:.3f} GB x $0.020 per GB-month':<104}"
        f" ${kept * GCS_GB_MONTH:.5f}/month"
    )
    return lines
