"""Run the embedded stack: service and worker under gunicorn, as the image runs them.

Used by `make run` (foreground), `make demo` and the end-to-end tests, so the
apps are always exercised the way production serves them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
THREADS = {"service": 8, "worker": 2}  # service is I/O bound; stamping is CPU bound


@dataclass(frozen=True)
class Stack:
    service_url: str
    worker_url: str
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def gunicorn_command(app: str, host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", "1",
        "--threads", str(THREADS[app]),
        "--timeout", "0",
        "--graceful-timeout", "20",
        f"{app}.app:create_app()",
    ]  # fmt: skip


def stack_env(data_dir: Path, service_port: int, worker_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(
        LOCAL_DATA_DIR=str(data_dir),
        PUBLIC_URL=f"http://127.0.0.1:{service_port}",
        WORKER_PUSH_URL=f"http://127.0.0.1:{worker_port}/pubsub/push",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@contextmanager
def running_stack(
    data_dir: Path,
    *,
    service_port: int | None = None,
    worker_port: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    quiet: bool = True,
) -> Iterator[Stack]:
    """Start both apps, wait until healthy, stop them gracefully on exit."""
    service_port = service_port or free_port()
    worker_port = worker_port or free_port()
    env = stack_env(data_dir, service_port, worker_port, **dict(extra_env or {}))
    out = subprocess.DEVNULL if quiet else None
    procs = [
        # A session of their own: Ctrl-C reaches only us, and we stop them gracefully.
        subprocess.Popen(
            gunicorn_command(app, "127.0.0.1", port),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        for app, port in (("worker", worker_port), ("service", service_port))
    ]
    stack = Stack(f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{worker_port}", env)
    try:
        for url, proc in zip((stack.worker_url, stack.service_url), procs, strict=True):
            wait_healthy(url, proc)
        yield stack
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{base_url} exited with {proc.returncode} before it was healthy")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} was not healthy within {timeout:.0f} s")
