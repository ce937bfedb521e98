"""The image's exact command line, run here for both apps.

No Docker engine is needed: the command comes from the Dockerfile, runs from
the repository root (the image's WORKDIR holds the same tree) with the
running interpreter's bin/ first on PATH (where gunicorn is installed), on a
free port, with the embedded stack's settings. It must answer /healthz and
exit cleanly on SIGTERM, as Cloud Run stops an instance.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.dockerfile import ROOT, command, env_defaults

# Each test runs whole processes: the slow tier, which `make test` runs and `make unit` skips.
pytestmark = pytest.mark.slow

START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def image_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **env_defaults(),
        "STORAGE_BACKEND": "local",
        "PUBLISH_BACKEND": "local",
        "LOCAL_DATA_DIR": str(tmp_path / "var"),
    }
    env.update(extra)
    return env


def healthz(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return r.status
    except (urllib.error.URLError, OSError):
        return None


def wait_healthy(proc: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited with {proc.returncode} before answering /healthz"
        if healthz(port) == 200:
            return
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s")


# The dashboard in the image is behind IAP: it needs the audience IAP signs for.
APP_ENV = {"dashboard": {"IAP_AUDIENCE": "/projects/1/locations/us-central1/services/d"}}


@pytest.mark.parametrize("app", ["service", "worker", "dashboard"])
def test_the_image_command_serves_healthz_and_stops_on_sigterm(tmp_path, app):
    port = free_port()
    log = (tmp_path / "out.log").open("w+")
    proc = subprocess.Popen(
        command(),
        cwd=ROOT,
        env=image_env(tmp_path, APP=app, PORT=str(port), **APP_ENV.get(app, {})),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(proc, port)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=STOP_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert code == 0, output
    assert "Shutting down" in output or "Handling signal: term" in output, output


def test_an_unknown_app_stops_with_a_clear_message(tmp_path):
    result = subprocess.run(
        command(),
        cwd=ROOT,
        env=image_env(tmp_path, APP="nope", PORT=str(free_port())),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 64
    assert "APP must be service, worker or dashboard" in result.stderr


def test_the_dashboard_without_iap_refuses_to_listen_beyond_loopback(tmp_path):
    """The image binds every interface (:PORT); DASHBOARD_AUTH=local must not start there."""
    result = subprocess.run(
        command(),
        cwd=ROOT,
        env=image_env(tmp_path, APP="dashboard", PORT=str(free_port()), DASHBOARD_AUTH="local"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DASHBOARD_AUTH=local serves 127.0.0.1 only" in result.stderr
