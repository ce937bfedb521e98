"""One list of system packages: the image, CI, Cloud Build and make all install from it."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIST = ROOT / "system-packages.txt"
SCRIPT = ROOT / "tools" / "system-packages.sh"
ROLES = {"runtime", "test", "google", "bench"}
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def rows() -> list[tuple[str, str, str]]:
    found = []
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            role, package, probe = line.split()
            found.append((role, package, probe))
    return found


def test_every_row_has_a_known_role_a_package_and_a_probe() -> None:
    assert rows()
    for role, package, probe in rows():
        assert role in ROLES
        assert re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", package)
        assert probe.startswith("/") or re.fullmatch(r"[a-z0-9-]+", probe)


def test_the_script_lists_a_role() -> None:
    listed = subprocess.run(
        ["bash", str(SCRIPT), "list", "runtime"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed == [p for r, p, _ in rows() if r == "runtime"]


@pytest.mark.parametrize(
    ("path", "roles"),
    [
        ("Dockerfile", "ensure runtime"),
        (".ci/run", "ensure runtime test google"),
        ("Makefile", "tools/system-packages.sh ensure"),
    ],
)
def test_every_installer_reads_the_list(path: str, roles: str) -> None:
    text = (ROOT / path).read_text()
    assert roles in text
    # No package is named by hand next to the list (the venv bootstrap aside).
    for _, package, _ in rows():
        assert not re.search(rf"apt-get install[^\n]*\b{re.escape(package)}\b", text), package


def test_a_missing_package_names_the_sudo_line_when_not_root() -> None:
    """Run as nobody, the script installs nothing and says exactly what to type."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)  # noqa: S103 - nobody must read the list
        fake = Path(folder) / "system-packages.txt"
        fake.write_text("test  no-such-package-xyz  /nonexistent/tool\n")
        fake.chmod(0o644)
        result = subprocess.run(
            [*AS_NOBODY, "bash", "-s", "--", "ensure", "test"],
            input=SCRIPT.read_text(),
            env={"PATH": os.environ["PATH"], "SYSTEM_PACKAGES_LIST": str(fake)},
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends no-such-package-xyz" in result.stderr
