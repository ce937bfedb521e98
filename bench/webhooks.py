"""Load on the webhook edge: N signed purchases at concurrency C against gunicorn.

    .venv/bin/python -m bench.webhooks [--requests 4000] [--concurrency 200]

Starts the service exactly as the image runs it (gunicorn, 1 worker, 8
threads) with the embedded publisher, whose pushes go to a sink that answers
204, so the figures are the edge's alone: verify, parse, catalog check, spool.
The same load against GET /healthz on the same server is the floor: the
ratio says what verification and publishing cost over Flask and gunicorn.
The load generator shares the machine's cores with the server; read the
ratios, not the absolute numbers.
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

from common.merchants._paddle_billing import sign_billing
from demo.purchase import purchase_body
from demo.stack import ROOT, free_port, gunicorn_command, wait_healthy

SECRET = "pdl_ntfset_bench"  # noqa: S105 - a throwaway bench secret


class Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def load(port: int, total: int, concurrency: int, webhook: bool) -> tuple[list[float], float, int]:
    local = threading.local()
    errors = 0

    def one(n: int) -> float:
        nonlocal errors
        conn = getattr(local, "conn", None) or http.client.HTTPConnection("127.0.0.1", port)
        local.conn = conn
        if webhook:
            body = purchase_body(f"txn_bench{n:020d}")
            headers = {
                "Content-Type": "application/json",
                "Paddle-Signature": sign_billing(body, SECRET, int(time.time())),
            }
            started = time.perf_counter()
            conn.request("POST", "/webhooks/paddle", body=body, headers=headers)
        else:
            started = time.perf_counter()
            conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            errors += 1
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(one, range(total)))
    return latencies, time.perf_counter() - started, errors


def report(label: str, latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    row = {"rps": len(latencies) / elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000}
    print(
        f"{label:<22} {row['rps']:>8.0f} req/s   p50 {row['p50']:>7.1f} ms   "
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
    args = parser.parse_args()

    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "LOCAL_DATA_DIR": tmp,
            "PADDLE_WEBHOOK_SECRET": SECRET,
            "PADDLE_SIGNATURE_TOLERANCE": "60",
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
            load(port, 200, 20, webhook=True)  # warm-up
            for concurrency in args.concurrency:
                compare(port, args.requests, concurrency)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            sink.shutdown()
    return 0


def compare(port: int, total: int, concurrency: int) -> None:
    print(f"\n{total} requests at concurrency {concurrency}, gunicorn 1 worker × 8 threads")
    floor = report("GET /healthz (floor)", *load(port, total, concurrency, False))
    hooks = report("POST /webhooks/paddle", *load(port, total, concurrency, True))
    print(
        f"webhook / floor: throughput {hooks['rps'] / floor['rps']:.2f}×, "
        f"p99 {hooks['p99'] / floor['p99']:.2f}×"
    )


if __name__ == "__main__":
    sys.exit(main())
