"""Run the embedded stack: service, worker (and the dashboard) under gunicorn, as the image does.

Used by `make run` (foreground), `make demo` and the end-to-end tests, so the
apps are always exercised the way production serves them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"  # the image's settings, shared
PR_SET_PDEATHSIG = 1
STOPPING = threading.Event()  # a stop signal arrived (stop_on_signals)


@dataclass(frozen=True)
class Stack:
    service_url: str
    worker_url: str
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)  # by app
    quiet: bool = True
    dashboard_url: str = ""  # when started (dashboard_port): DASHBOARD_AUTH=local, loopback

    def restart_worker(self) -> None:
        """SIGKILL the worker's gunicorn (its whole group, as an instance dies) and start
        a fresh one on the same port: what `kill -9` and Cloud Run's next instance do."""
        old = self.processes["worker"]
        os.killpg(old.pid, signal.SIGKILL)
        old.wait(timeout=30)
        port = int(self.worker_url.rsplit(":", 1)[1])
        self.processes["worker"] = start_app("worker", port, self.env, quiet=self.quiet)
        wait_healthy(self.worker_url, self.processes["worker"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_pair() -> int:
    """A port p with p, p+1 and p+2 free: PORT for the service, the next for the worker, the
    one after for the dashboard (`make run`)."""
    for port in range(20000 + os.getpid() % 20000, 65000, 7):
        if all(port_is_free(port + n) for n in range(3)):
            return port
    raise RuntimeError("no three adjacent free ports")


def port_is_free(port: int) -> bool:
    """Whether a server could listen on the port now, as gunicorn would (SO_REUSEADDR:
    connections of a stopped server lingering in TIME_WAIT do not hold the port)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def gunicorn_command(app: str, host: str, port: int) -> list[str]:
    """gunicorn as the image runs it (gunicorn.conf.py, APP in the env), on host:port."""
    return [
        sys.executable, "-m", "gunicorn",
        "--config", str(GUNICORN_CONF),
        "--bind", f"{host}:{port}",
        f"{app}.app:create_app()",
    ]  # fmt: skip


def stack_env(data_dir: Path, service_port: int, worker_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(
        LOCAL_DATA_DIR=str(data_dir),
        PUBLIC_URL=f"http://127.0.0.1:{service_port}",
        WORKER_PUSH_URL=f"http://127.0.0.1:{worker_port}/pubsub/push",
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
    dashboard_port: int | None = None,
) -> Iterator[Stack]:
    """Start the apps (the dashboard too when given a port), wait until healthy, stop them
    gracefully on exit."""
    service_port = service_port or free_port()
    worker_port = worker_port or free_port()
    env = stack_env(data_dir, service_port, worker_port, **dict(extra_env or {}))
    apps = [("worker", worker_port), ("service", service_port)]
    if dashboard_port:
        env.setdefault("DASHBOARD_AUTH", "local")
        apps.append(("dashboard", dashboard_port))
    processes = {app: start_app(app, port, env, quiet=quiet) for app, port in apps}
    service_url, worker_url = f"http://127.0.0.1:{service_port}", f"http://127.0.0.1:{worker_port}"
    dashboard_url = f"http://127.0.0.1:{dashboard_port}" if dashboard_port else ""
    stack = Stack(service_url, worker_url, env, processes, quiet, dashboard_url)
    try:
        wait_healthy(stack.worker_url, processes["worker"])
        wait_healthy(stack.service_url, processes["service"])
        if dashboard_url:
            wait_healthy(dashboard_url, processes["dashboard"])
        yield stack
    finally:
        procs = list(stack.processes.values())  # the worker may have been restarted
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_app(
    app: str, port: int, env: Mapping[str, str], *, quiet: bool
) -> subprocess.Popen[bytes]:
    """One app under gunicorn on 127.0.0.1:port."""
    out = subprocess.DEVNULL if quiet else None
    # A session of their own: Ctrl-C reaches only us, and we stop them gracefully;
    # and they die with us, so a killed parent leaves no server holding a port.
    return subprocess.Popen(
        gunicorn_command(app, "127.0.0.1", port),
        env={**env, "APP": app},
        cwd=ROOT,
        stdout=out,
        stderr=out,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )


def die_with_parent() -> None:
    """Ask Linux to send us SIGTERM when our parent exits (prctl PR_SET_PDEATHSIG)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP stop the stack like Ctrl-C (a background job ignores SIGINT).

    `make` forwards SIGTERM to its child; a closed terminal sends SIGHUP; and if
    our parent dies we get SIGTERM too, so no gunicorn is left holding a port.
    The handler also sets STOPPING, which the waiting loops check: a
    KeyboardInterrupt raised while a __del__ or weakref callback runs is
    printed and dropped by Python, and the stack must stop all the same. A
    second signal while stopping is ignored, so the graceful stop can finish.
    """

    def stop(signum: int, frame: object) -> None:
        if STOPPING.is_set():
            return
        STOPPING.set()
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    die_with_parent()


def wait_for_stop() -> None:
    """Block until a stop signal has arrived, then raise KeyboardInterrupt."""
    while not STOPPING.wait(0.5):
        pass
    raise KeyboardInterrupt


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if STOPPING.is_set():
            raise KeyboardInterrupt
        if proc.poll() is not None:
            raise RuntimeError(f"{base_url} exited with {proc.returncode} before it was healthy")
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base_url} was not healthy within {timeout:.0f} s")
