"""The command line over the whole corpus: no traceback, no library warning on stderr.

Slow tier (two processes per case). pikepdf's PageCopyWarning, its XMP and
content-parsing warnings and qpdf's notes on damaged files go to the log at
DEBUG (common/logging.py); an author sees only sentences about the book.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus import Case, all_cases

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAMP_SECRET": "corpus-cli", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "worker", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.name)
def test_stamp_and_check_speak_in_words(case: Case, tmp_path: Path) -> None:
    original = tmp_path / f"{case.name}.pdf"
    original.write_bytes(case.build())
    skip = ("--skip-pages", str(case.skip_pages))
    checked = run("check", str(original), *skip, "--out", str(tmp_path / "pre"))
    stamped = run("stamp", str(original), str(tmp_path / "copy.pdf"), "--name", "Ada",
                  "--email", "a@x.y", "--order", "o1", *skip)  # fmt: skip
    assert stamped.returncode == (0 if case.stamps else 1), stamped.stderr
    for done in (checked, stamped):
        assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
        assert "<_io" not in done.stdout + done.stderr
    if case.stamps:
        assert stamped.stderr == "" and "verdict:" in checked.stdout
    else:
        assert case.refusal in stamped.stderr
