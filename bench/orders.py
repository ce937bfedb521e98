"""`exlibris orders --email` at 100,000 orders on the embedded store: the index against a full scan.

    .venv/bin/python bench/orders.py [--orders 100000] [--runs 5]

Generates N order records with their index objects (common/order_index.py
names, bodies as the worker writes them) straight into a temporary folder
store, so generating takes seconds, not a day of stamping. Then, in the same
run, on the same store:

- index: the console's own query, `exlibris orders --email ADDR --json` run
  in-process (list customers/<hash>/, read those records and their download
  counts, print JSON); best of --runs;
- full scan: the peer, what a listing without indexes does: list orders/ and
  read and parse every record through the same storage port, keeping the
  buyer's; one run (it is the slow side);
- the whole command as an author types it, `.venv/bin/exlibris orders --email
  ADDR --json` in a subprocess: Python start-up and imports included.

Prints seconds and the ratio full scan / index. The buyer has 3 orders among
N; every record is about the size the worker writes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from common.orders import DeliveredFile, OrderRecord, Status
from common.orders._index import index_names
from common.orders._record import StatusChange
from common.settings import Settings
from common.storage import LocalStorage
from console.__main__ import run

BUYER = "ada.lovelace@example.com"


def record(n: int, email: str) -> OrderRecord:
    order_id = f"txn_{n:026d}"
    day = f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00Z"
    changes = tuple(StatusChange(s, day) for s in (Status.RECEIVED, Status.STAMPED, Status.MAILED))
    copy = DeliveredFile(
        "book.pdf", f"copies/{order_id}/00-book.pdf", "book.pdf", True, 1_700_000_000_000_000_000
    )
    return OrderRecord(
        order_id=order_id, status=Status.MAILED, title="Practical Python Projects",
        buyer_name=f"Buyer {n}", buyer_email=email, code="ABCD-EFGH-JKLM", created_at=day,
        files=(copy,), history=changes, mail_id=f"<{n}@mail>", mailed_at=day,
        products=("practical-python",), paddle_ids=("pri_01", "pro_01"), source="billing",
        customer_id=f"ctm_{n:026d}",
    )  # fmt: skip


def generate(bucket_dir: Path, orders: int) -> None:
    """Write records and indexes as files, the layout the folder store reads."""
    rng = random.Random(13)
    ours = set(rng.sample(range(orders), 3))
    for n in range(orders):
        email = BUYER if n in ours else f"buyer{rng.randrange(orders * 2 // 3)}@example.com"
        rec = record(n, email)
        _put(bucket_dir / "orders" / f"{rec.order_id}.json", rec.to_json())
        for name in index_names(rec):
            _put(bucket_dir / name, rec.order_id.encode())


def _put(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def by_index(settings: Settings, storage: LocalStorage) -> tuple[float, int]:
    out = io.StringIO()
    started = time.perf_counter()
    status = run(["orders", "--email", BUYER, "--json"], settings, storage=storage,
                 out=Console(file=out))  # fmt: skip
    seconds = time.perf_counter() - started
    assert status == 0
    return seconds, len(json.loads(out.getvalue()))


def full_scan(settings: Settings, storage: LocalStorage) -> tuple[float, int]:
    started = time.perf_counter()
    bucket = settings.delivery_bucket
    found = 0
    for name in storage.list(bucket, "orders/"):
        rec = OrderRecord.from_json(storage.read(bucket, name).data)
        found += rec.buyer_email.strip().lower() == BUYER
    return time.perf_counter() - started, found


def whole_command(env: dict[str, str]) -> float:
    exlibris = Path(sys.executable).with_name("exlibris")
    started = time.perf_counter()
    done = subprocess.run([exlibris, "orders", "--email", BUYER, "--json"], env=env,
                          capture_output=True, check=True)  # fmt: skip
    assert len(json.loads(done.stdout)) == 3
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exlibris-bench-orders-") as tmp:
        env = {**os.environ, "LOCAL_DATA_DIR": tmp, "CATALOG": "sample/catalog.toml"}
        settings = Settings.from_env(env)
        storage = LocalStorage(Path(tmp) / "storage", public_url="http://x", signing_key=b"k")
        started = time.perf_counter()
        generate(Path(tmp) / "storage" / settings.delivery_bucket, args.orders)
        print(f"generated {args.orders:,} records and their indexes in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        index = min(by_index(settings, storage) for _ in range(args.runs))
        scan = full_scan(settings, storage)
        command = min(whole_command(env) for _ in range(args.runs))
    assert index[1] == scan[1] == 3, (index, scan)
    print(f"orders --email at {args.orders:,} orders (embedded store), {index[1]} found")
    print(f"  index (in-process, best of {args.runs})   {index[0]:9.4f} s")
    ratio = scan[0] / index[0]
    print(f"  full scan of the records (peer)  {scan[0]:9.4f} s   {ratio:,.0f}x the index")
    print(f"  the whole command, subprocess    {command:9.4f} s   (start-up and imports included)")
    digest = hashlib.sha256(BUYER.encode()).hexdigest()[:12]
    print(f"  (listed customers/{digest}…/, read 3 records and 3 download counts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
