"""The dashboard's overview at 100,000 orders, embedded store: the stats indexes against a scan.

    .venv/bin/python -m bench.dashboard [--orders 100000] [--runs 5] [--sample 2000]

Generates the stats markers of N orders spread over the 26 weeks the overview
shows (a launch week sells a fifth of them), each sold, mailed and downloaded
0 to 3 times, straight into a temporary folder store: the names come from the
functions the worker and the service write them with (common/stats
marker_names, download_name), so generating takes seconds, not days of
stamping. 30 more orders are still on their way (their records and
stats/open/ markers), so the overview reads what it reads on a real day.

Then, in the same run, on the same store:

- cold: the first overview, which rolls every closed week and day up
  (lists their markers, writes their summaries);
- warm: the overview as every later visit pays for it; best of --runs;
- the peer: what an overview without indexes does, a scan: list orders/ and
  read every record and its download counts through the same storage port,
  counting sales, deliveries and downloads per day and product. It runs over
  --sample real records (as the worker writes them) and is scaled up to N.

Prints seconds, the peer's ratio to each, and the requests each made (reads,
listings, names listed): on Cloud Storage a read or a listing page of 1,000
names is one round trip, so the requests are what the overview costs there.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.orders import _put  # a file in the folder store's layout, its folders made once
from common.orders import DeliveredFile, OrderRecord, OrderStore
from common.stats import download_name, marker_names, open_name, utc_day, week_of
from common.storage import Blob, LocalStorage
from dashboard.overview import Overview, overview

BUCKET = "delivery"
PRODUCTS = ("practical-python", "rust-in-action", "the-go-book", "sql-cookbook")
WEEKS = 26
ON_THE_WAY = 30


class Counted(LocalStorage):
    """The folder store, counting requests as Cloud Storage would bill and wait for them."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, public_url="http://x", signing_key=b"k")
        self.calls: Counter[str] = Counter()
        self._counting = threading.Lock()  # the overview reads from several threads

    def read(self, bucket: str, name: str) -> Blob:
        with self._counting:
            self.calls["reads"] += 1
        return super().read(bucket, name)

    def list(self, bucket: str, prefix: str) -> list[str]:
        names = super().list(bucket, prefix)
        pages = max(1, -(-len(names) // 1000))
        with self._counting:
            self.calls.update({"listings": 1, "list pages": pages, "names listed": len(names)})
        return names


def sale(n: int, at: datetime, rng: random.Random) -> OrderRecord:
    """A mailed order as the worker records it (one product, a PDF and an EPUB)."""
    order_id = f"txn_{n:026d}"
    stamp = at.isoformat(timespec="seconds").replace("+00:00", "Z")
    mailed = (at + timedelta(seconds=rng.randrange(3, 40))).isoformat(timespec="seconds")
    product = PRODUCTS[min(int(rng.expovariate(1.2)), len(PRODUCTS) - 1)]
    files = tuple(
        DeliveredFile(f"{product}.{ext}", f"copies/{order_id}/0{i}-{product}.{ext}",
                      f"{product}.{ext}", True, 1_700_000_000_000_000_000, size=2_000_000)
        for i, ext in enumerate(("pdf", "epub"))
    )  # fmt: skip
    received = OrderRecord.received(
        at=stamp, order_id=order_id, title=product.replace("-", " ").title(),
        buyer_name=f"Buyer {n}", buyer_email=f"buyer{n}@example.com", code="ABCD-EFGH-JKLM",
        files=files, products=(product,), paddle_ids=("pri_01",), source="billing",
    )  # fmt: skip
    claimed = received.stamped(files, at=stamp).mail_claimed(now=at.timestamp(), at=stamp)
    return claimed.mailed(provider_id=f"<{n}@mail>", at=mailed.replace("+00:00", "Z"))


def moments(orders: int, today: date, rng: random.Random) -> list[datetime]:
    """When each order was sold: a fifth in a launch week, the rest spread over the window."""
    first = week_of(today) - timedelta(weeks=WEEKS - 1)
    span = (today - first).days + 1
    launch = first + timedelta(weeks=8)
    out = []
    for n in range(orders):
        day = launch + timedelta(days=rng.randrange(7)) if n % 5 == 0 else (
            first + timedelta(days=rng.randrange(span)))  # fmt: skip
        out.append(datetime(day.year, day.month, day.day, tzinfo=UTC)
                   + timedelta(seconds=rng.randrange(86_400 - 60)))  # fmt: skip
    return out


def generate(root: Path, orders: int, today: date) -> Counter[str]:
    """Write every order's markers as empty files (what the worker and service write)."""
    rng = random.Random(24)
    expected: Counter[str] = Counter()
    for n, at in enumerate(moments(orders, today, rng)):
        record = sale(n, at, rng)
        for name in marker_names(record):
            _put(root / name, b"")
        expected["sold"] += 1
        expected["mailed"] += utc_day(record.mailed_at) is not None
        for count in range(1, rng.choice((0, 1, 1, 2, 3)) + 1):
            day = min(utc_day(record.mailed_at) or today, today)
            _put(root / download_name(record.order_id, rng.randrange(2), count, day=day), b"")
            expected["downloads"] += 1
    for n in range(ON_THE_WAY):  # orders whose buyer the store has not named yet
        waiting = OrderRecord.received(
            at=f"{today.isoformat()}T09:00:00Z", order_id=f"wait_{n}", title="t",
            buyer_name="", buyer_email="", code="c", products=(PRODUCTS[0],),
        )  # fmt: skip
        _put(root / f"orders/{waiting.order_id}.json", waiting.to_json())
        _put(root / open_name(waiting.order_id), b"")
    return expected


def write_sample(root: Path, orders: int, today: date) -> None:
    """Real records and download counts, for the peer to scan."""
    rng = random.Random(7)
    for n, at in enumerate(moments(orders, today, rng)):
        record = sale(n, at, rng)
        _put(root / f"orders/{record.order_id}.json", record.to_json())
        for index in range(len(record.files)):
            if rng.random() < 0.6:
                _put(
                    root / f"downloads/{record.order_id}/{index}", str(rng.randrange(1, 4)).encode()
                )


def scan(storage: Counted, today: date) -> int:
    """The peer: every record and its counts, tallied per day and product as the overview does."""
    first = week_of(today) - timedelta(weeks=WEEKS - 1)
    tally: Counter[tuple[str, date, str]] = Counter()
    orders = OrderStore(storage, BUCKET)
    for name in storage.list(BUCKET, "orders/"):
        record = OrderRecord.from_json(storage.read(BUCKET, name).data)
        sold, mailed = utc_day(record.created_at), utc_day(record.mailed_at)
        for product in record.products:
            if sold and sold >= first:
                tally["sold", sold, product] += 1
            if mailed and mailed >= first:
                tally["mailed", mailed, product] += 1
        tally["downloads", first, ""] += sum(orders.read_counts(record.order_id, len(record.files)))
    return len(tally)


def timed(storage: Counted, today: date) -> tuple[float, Counter[str], Overview]:
    storage.calls.clear()
    started = time.perf_counter()
    figures = overview(OrderStore(storage, BUCKET), today=today)
    return time.perf_counter() - started, Counter(storage.calls), figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="exlibris-bench-dashboard-") as tmp:
        storage = Counted(Path(tmp) / "stats")
        started = time.perf_counter()
        expected = generate(Path(tmp) / "stats" / BUCKET, args.orders, today)
        made = time.perf_counter() - started
        print(f"generated the markers of {args.orders:,} orders in {made:.1f} s")
        cold, cold_calls, figures = timed(storage, today)
        warm_runs = [timed(storage, today) for _ in range(args.runs)]
        warm, warm_calls, again = min(warm_runs, key=lambda run: run[0])
        peer_store = Counted(Path(tmp) / "scan")
        write_sample(Path(tmp) / "scan" / BUCKET, args.sample, today)
        peer_store.calls.clear()
        started = time.perf_counter()
        scan(peer_store, today)
        sampled = time.perf_counter() - started
    health = figures.health
    assert again == figures
    assert (health.sold, health.mailed) == (expected["sold"], expected["mailed"]), health
    assert health.downloads == expected["downloads"] and health.on_the_way == ON_THE_WAY
    peer = sampled * args.orders / args.sample
    print(f"overview at {args.orders:,} orders ({WEEKS} weeks, embedded folder store)")
    print(f"  cold (first read: rolls up)      {cold:8.3f} s   peer / cold {peer / cold:8,.0f}x")
    print(
        f"  warm (best of {args.runs})             {warm:8.3f} s   peer / warm {peer / warm:8,.0f}x"
    )
    print(f"  peer: scan of every record       {peer:8.3f} s   ({args.sample:,} records in "
          f"{sampled:.3f} s, scaled to {args.orders:,})")  # fmt: skip
    print("requests (one GCS round trip each; a listing page holds 1,000 names)")
    for label, calls in (("cold", cold_calls), ("warm", warm_calls)):
        print(f"  {label:5} {calls['reads']:6,} reads, {calls['listings']:4,} listings "
              f"({calls['list pages']:,} pages, {calls['names listed']:,} names)")  # fmt: skip
    scale = args.orders / args.sample
    print(f"  peer  {round(peer_store.calls['reads'] * scale):6,} reads, "
          f"{round(peer_store.calls['list pages'] * scale):,} listing pages (scaled)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
