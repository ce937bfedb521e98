"""The hostile corpus (tests/corpus/hostile.py): every bomb, loop and broken cross-reference is
refused, naming its limit, or stamped, within the memory the engine is allowed.

Each file goes through `stamp`, `check` and `trace` in a child process
(tests/corpus/measure.py) whose peak resident memory is measured by the kernel
(getrusage); it must stay under PEAK_MB. Time is the engine's own limit
(STAMP_MAX_SECONDS) and is never asserted here: `python -m tests.corpus.measure`
prints it with each file's fate.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus.hostile import HOSTILE, Hostile
from tests.corpus.measure import commands, run_command

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 1024  # issue 26: every file refused or stamped within 1 GB

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_a_hostile_file_is_refused_by_its_limit_or_stamped(case: Hostile, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}.{case.suffix}"
    path.write_bytes(case.build())
    runs = {name: run_command(args, ROOT) for name, args in commands(path, tmp_path).items()}
    for name, run in runs.items():
        assert run.peak_mb < PEAK_MB, f"{name}: {run.peak_mb:.0f} MB"
        assert "Traceback" not in run.output and "please report it" not in run.output, run.output
    stamp, check, trace = runs["stamp"], runs["check"], runs["trace"]
    if case.stamps:
        assert stamp.status == 0, stamp.output
        copy = tmp_path / f"copy.{case.suffix}"
        traced = run_command(["trace", str(copy), "--no-ocr"], ROOT)
        assert traced.status == 0 and "hostile-1" in traced.output, traced.output
        return
    assert stamp.status == 1 and case.refusal in stamp.output, stamp.output
    assert check.status == 1 and case.refusal in check.output, check.output
    if case.refusal.startswith("STAMP_MAX"):  # a file past a limit is unreadable to trace too
        assert trace.status == 2 and case.refusal in trace.output, trace.output
    else:
        assert trace.status in (1, 2), trace.output
