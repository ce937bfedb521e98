"""`make deploy DRY_RUN=1` in a clean clone prints the whole plan, through make itself.

The clone is this checkout's HEAD with the working tree's files on top (so the test
sees uncommitted work), and no terraform.tfvars: the plan uses the example's values.
Its .venv reuses this interpreter's packages (a pyvenv.cfg and symlinks, plus the
stamp make looks for), so make builds no virtualenv. The stand-ins come first on PATH.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.deploy_run import STANDINS, changing
from tests.support import cloud_standin

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("make"), reason="no make")]


def clean_clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in tracked)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def borrowed_venv(clone: Path) -> None:
    """A .venv that is this interpreter's environment, stamped as make expects."""
    real = Path(sys.prefix)
    venv = clone / ".venv"
    (venv / "bin").mkdir(parents=True)
    shutil.copy(real / "pyvenv.cfg", venv / "pyvenv.cfg")
    (venv / "lib").symlink_to(real / "lib")
    for tool in ("python", "python3", "pip", "pybabel"):
        (venv / "bin" / tool).symlink_to(real / "bin" / tool)
    # The Makefile's STAMP: `cat requirements-dev.txt pyproject.toml | cksum`, first field.
    both = (clone / "requirements-dev.txt").read_bytes() + (clone / "pyproject.toml").read_bytes()
    checksum = (
        subprocess.run(["cksum"], input=both, capture_output=True, check=True)
        .stdout.split()[0]
        .decode()
    )
    (venv / f".installed-{checksum}").touch()


def test_make_deploy_dry_run_in_a_clean_clone_prints_the_whole_plan(tmp_path: Path):
    clone = clean_clone(tmp_path / "clone")
    borrowed_venv(clone)
    state = tmp_path / "state.json"
    state.write_text(json.dumps(cloud_standin.new_state()))
    done = subprocess.run(
        ["make", "deploy", "DRY_RUN=1"],
        cwd=clone,
        env={
            "PATH": f"{STANDINS}:{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "EXLIBRIS_STANDIN_STATE": str(state),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "pip install" not in out  # make reused the borrowed .venv
    assert "terraform.tfvars.example (no terraform.tfvars yet)" in out
    for step in range(1, 11):
        assert f"\n{step}. " in out
    for planned in (
        "gcloud services enable",
        "gcloud storage buckets create gs://my-shop-123456-tfstate",
        "-target=google_secret_manager_secret.secrets",
        "gcloud secrets versions add exlibris-paddle-webhook-secret",
        "upload the catalog",
        "test, build and deploy this commit",
        "exlibris paddle connect --url https://exlibris-123456789012.us-central1.run.app",
        "would post a signed paddle sale",
        "Dry run: nothing was changed",
    ):
        assert planned in out, planned
    calls = json.loads(state.read_text())["calls"]
    assert calls and changing(calls) == []
