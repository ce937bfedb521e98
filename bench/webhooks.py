"""Load on the webhook edge: N signed sales per store at concurrency C against gunicorn.

    .venv/bin/python -m bench.webhooks [--requests 4000] [--concurrency 200,8]
        [--merchants paddle,stripe,lemonsqueezy,shopify,woocommerce]

Starts the service exactly as the image runs it (gunicorn, 1 worker, 8
threads) with the embedded publisher, whose pushes go to a sink that answers
204, so the figures are the edge's alone: verify, parse, catalog check, spool.
The same load against GET /healthz on the same server is the floor: the
ratio says what verification and publishing cost over Flask and gunicorn.
Each store's sale is the one `make demo MERCHANT=…` posts (demo/sales.py),
signed as that store signs it, so every store is measured on the same budget.
The load generator shares the machine's cores with the server; read the
ratios, not the absolute numbers.

`GET /thanks` (the checkout's return page) gets the same load from one client: past
its 30 a minute it must answer 429 at once, so the row counts 200s and 429s apart and
only anything else (a 5xx, a dropped connection) as an error.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from demo.sales import DEMO_SECRETS, SALES
from demo.stack import ROOT, free_port, gunicorn_command, wait_healthy

SECRET = "pdl_ntfset_bench"  # noqa: S105 - a throwaway bench secret


class Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


THANKS = "thanks"  # not a store: GET /thanks?ref=… for a reference no sale has yet
ANSWERED = {THANKS: (200, 429)}  # 429: the page's per-client limit, doing its job


def load(
    port: int, total: int, concurrency: int, merchant: str | None
) -> tuple[list[float], float, int]:
    """Latencies of `total` requests: the store's signed sales, GET /thanks, or GET /healthz."""
    local = threading.local()
    errors = 0
    answered = ANSWERED.get(merchant or "", (200,))
    statuses: dict[int, int] = {}

    def one(n: int) -> float:
        nonlocal errors
        conn = getattr(local, "conn", None) or http.client.HTTPConnection("127.0.0.1", port)
        local.conn = conn
        if merchant == THANKS:
            started = time.perf_counter()
            conn.request("GET", "/thanks?ref=bench_ref_nobody_has_0000")
        elif merchant is not None:
            sale = SALES[merchant](_secret(merchant))
            headers = {"Content-Type": "application/json", **sale.headers}
            started = time.perf_counter()
            conn.request("POST", f"/webhooks/{merchant}", body=sale.body, headers=headers)
        else:
            started = time.perf_counter()
            conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status not in answered:
            errors += 1
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(one, range(total)))
    if merchant == THANKS:
        print(f"{'':<30} answers: {dict(sorted(statuses.items()))}")
    return latencies, time.perf_counter() - started, errors


def _secret(merchant: str) -> str:
    return SECRET if merchant == "paddle" else DEMO_SECRETS[f"{merchant.upper()}_WEBHOOK_SECRET"]


def report(label: str, latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    row = {"rps": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}
    print(
        f"{label:<30} {row['rps']:>8.0f} req/s   p50 {row['p50']:>7.1f} ms   "
        f"p99 {row['p99']:>7.1f} ms   errors {errors}"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(c) for c in text.split(",")],
        default=[200, 8],
        help="comma-separated; 8 is what one Cloud Run instance is sent (terraform/run.tf)",
    )
    parser.add_argument(
        "--merchants",
        type=lambda text: text.split(","),
        default=sorted(SALES, key=lambda m: m != "paddle"),
        help="comma-separated stores, each measured on the same load",
    )
    args = parser.parse_args()

    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "LOCAL_DATA_DIR": tmp,
            "PADDLE_WEBHOOK_SECRET": SECRET,
            "PADDLE_SIGNATURE_TOLERANCE": "60",
            **DEMO_SECRETS,
            "WORKER_PUSH_URL": f"http://127.0.0.1:{sink.server_port}/",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        proc = subprocess.Popen(
            gunicorn_command("service", "127.0.0.1", port),
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            for merchant in args.merchants:
                load(port, 200, 20, merchant)  # warm-up
            for concurrency in args.concurrency:
                compare(port, args.requests, concurrency, args.merchants)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            sink.shutdown()
    return 0


def compare(port: int, total: int, concurrency: int, merchants: list[str]) -> None:
    print(f"\n{total} requests at concurrency {concurrency}, gunicorn 1 worker × 8 threads")
    floor = report("GET /healthz (floor)", *load(port, total, concurrency, None))
    for merchant in [*merchants, THANKS]:
        label = "GET /thanks (one client)" if merchant == THANKS else f"POST /webhooks/{merchant}"
        hooks = report(label, *load(port, total, concurrency, merchant))
        print(
            f"{'':<30} / floor: throughput {hooks['rps'] / floor['rps']:.2f}×, "
            f"p50 {hooks['p50'] / floor['p50']:.2f}×, p99 {hooks['p99'] / floor['p99']:.2f}×"
        )


if __name__ == "__main__":
    sys.exit(main())
