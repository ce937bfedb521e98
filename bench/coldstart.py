"""Cold start: process start to a healthy /healthz, and the CLI's whole-process stamp.

    .venv/bin/python -m bench.coldstart [--runs 7] [--pages 1000]   (from the repository root)

Apps: each of service and worker is started as the image starts it (gunicorn
with gunicorn.conf.py, APP=service|worker, embedded settings on a temporary
folder), and the clock runs from Popen to the first 200 from /healthz, polled
every 5 ms. The floor is a Flask app with only /healthz (bench/floor_app.py)
under the same gunicorn and configuration (APP=service, so 8 threads).

CLI: `exlibris stamp` (and `python -m worker stamp`) on a generated 1000-page
book (images on) as one whole process, against a whole-process pdfrw overlay
of the same footer and a plain `qpdf in out` rewrite: bench/cli.py's table,
which also runs on the R manual. Median and best of --runs; ratios are
against the floor measured in the same run. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import cli

ROOT = Path(__file__).resolve().parent.parent
APPS = {
    "Flask floor": ("service", "bench.floor_app:create_app()"),
    "service": ("service", "service.app:create_app()"),
    "worker": ("worker", "worker.app:create_app()"),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_to_healthy(app: str, target: str, data_dir: Path) -> float:
    port = free_port()
    env = {**os.environ, "APP": app, "LOCAL_DATA_DIR": str(data_dir), "PORT": str(port)}
    cmd = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
    cmd += ["--bind", f"127.0.0.1:{port}", target]
    started = time.perf_counter()
    quiet = subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=quiet, stderr=quiet)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{target} exited with {proc.returncode}") from None
                time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def table(title: str, rows: dict[str, list[float]], floor: str) -> None:
    print(f"\n{title}")
    print(f"{'':<22}{'median s':>10}{'best s':>9}{'x floor':>9}")
    base = statistics.median(rows[floor])
    for name, times in rows.items():
        median = statistics.median(times)
        print(f"{name:<22}{median:>10.3f}{min(times):>9.3f}{median / base:>9.2f}")


def bench_apps(runs: int, folder: Path) -> None:
    rows: dict[str, list[float]] = {name: [] for name in APPS}
    for _ in range(runs):  # interleaved, so load on the machine hits every row alike
        for name, (app, target) in APPS.items():
            rows[name].append(time_to_healthy(app, target, folder / "var"))
    table(f"start to healthy /healthz, gunicorn as in the image, {runs} runs", rows, "Flask floor")


def bench_cli(runs: int, pages: int, folder: Path) -> None:
    """The command line's table, as bench/cli.py prints it for the sample book."""
    from demo.sample_book import make_sample_book

    source = folder / "book.pdf"
    source.write_bytes(make_sample_book(pages, images=True))
    times = cli.measure(cli.commands(source, folder), runs)
    size = source.stat().st_size / 2**20
    cli.report(f"whole-process stamp, {pages} pages ({size:.1f} MB), {runs} runs", times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    if shutil.which("qpdf") is None:
        print("qpdf is missing (apt-get install qpdf): it is the CLI's floor", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as name:
        bench_apps(args.runs, Path(name))
        bench_cli(args.runs, args.pages, Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
