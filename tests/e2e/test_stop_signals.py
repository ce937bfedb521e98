"""`make run` and `python -m demo run` leave no server behind, however they are stopped.

Each case starts the real command in its own session with PORT on three free
ports (the service on PORT, the worker on PORT+1, the dashboard on PORT+2), waits until all answer
/healthz, signals one process, and then requires both ports free and no
gunicorn left whose command line names either port. SIGTERM is what `make`
forwards and what `kill` sends, SIGHUP what a closed terminal sends (to the
foreground process group), SIGINT Ctrl-C, and SIGKILL cannot be handled at
all: then the servers must die with their parent (PR_SET_PDEATHSIG, demo/stack.py).
A SIGHUP sent to `make` alone stops nothing: GNU make then waits for its child
without passing the signal on, so the stack keeps running, owned, not orphaned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from demo.stack import free_port_pair, port_is_free

ROOT = Path(__file__).resolve().parents[2]
MAKE_RUN = ["make", "--no-print-directory", "run"]
DEMO_RUN = [sys.executable, "-m", "demo", "run"]


def servers_on(port: int) -> list[int]:
    """Pids of gunicorn processes whose command line binds the port."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"gunicorn" in a for a in args) and f"127.0.0.1:{port}".encode() in args:
            found.append(int(entry.name))
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.parent.name))
    return found


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@dataclass
class Started:
    proc: subprocess.Popen[bytes]
    port: int  # the service's; the worker's is the next one
    output: Path  # what the command printed, for the failure message


@pytest.fixture
def started(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Started]:
    """The command of the test's parameter, running until both /healthz answer."""
    port = free_port_pair()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env |= {"PORT": str(port), "LOCAL_DATA_DIR": str(tmp_path / "var")}
    output = tmp_path / "output.log"
    proc = subprocess.Popen(
        request.param,
        cwd=ROOT,
        env=env,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # our signals go to the one process a test names
    )
    try:
        deadline = time.monotonic() + 120
        while not (healthy(port) and healthy(port + 1) and healthy(port + 2)):
            assert proc.poll() is None, f"{request.param} exited with {proc.returncode}"
            assert time.monotonic() < deadline, "the stack did not become healthy"
            time.sleep(0.2)
        yield Started(proc, port, output)
    finally:
        for pid in servers_on(port) + servers_on(port + 1) + servers_on(port + 2):  # ours only
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def python_of(proc: subprocess.Popen[bytes]) -> int:
    """The `python -m demo run` process: the command itself, or make's child running it."""
    if proc.args is DEMO_RUN:
        return proc.pid
    [child] = [
        c for c in children_of(proc.pid) if b"demo" in Path(f"/proc/{c}/cmdline").read_bytes()
    ]
    return child


def assert_nothing_left(port: int, output: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = servers_on(port) + servers_on(port + 1) + servers_on(port + 2)
        if not left and all(port_is_free(port + n) for n in range(3)):
            return
        time.sleep(0.2)
    free = [port_is_free(port + n) for n in range(3)]
    said = output.read_text()[-3000:]
    pytest.fail(f"left behind: gunicorn pids {left}, ports free: {free}; the command said:\n{said}")


CASES = [
    # make forwards SIGTERM to its child; SIGHUP and SIGINT it leaves to the terminal,
    # which sends them to the whole foreground process group (make and python).
    pytest.param(MAKE_RUN, "make", signal.SIGTERM, id="make-run-SIGTERM-to-make"),
    pytest.param(MAKE_RUN, "group", signal.SIGHUP, id="make-run-terminal-closed"),
    pytest.param(MAKE_RUN, "group", signal.SIGINT, id="make-run-Ctrl-C"),
    pytest.param(MAKE_RUN, "python", signal.SIGKILL, id="make-run-SIGKILL-to-python"),
    pytest.param(DEMO_RUN, "python", signal.SIGTERM, id="demo-run-SIGTERM"),
    pytest.param(DEMO_RUN, "python", signal.SIGHUP, id="demo-run-SIGHUP"),
    pytest.param(DEMO_RUN, "python", signal.SIGKILL, id="demo-run-SIGKILL"),
]


@pytest.mark.parametrize(("started", "whom", "signum"), CASES, indirect=["started"])
def test_a_stopped_stack_leaves_no_server_behind(
    started: Started, whom: str, signum: signal.Signals
) -> None:
    if whom == "group":
        os.killpg(started.proc.pid, signum)
    else:
        pid = started.proc.pid if whom == "make" else python_of(started.proc)
        os.kill(pid, signum)
    assert_nothing_left(started.port, started.output)
    started.proc.wait(timeout=30)
