"""Run one file command in a child process under a memory cap: its exit, output and peak RSS.

`os.wait4` hands back the child's own rusage, so each command's peak resident
memory (ru_maxrss, in KiB on Linux: getrusage(2)) is measured alone. The cap
(RLIMIT_AS) keeps a runaway from taking the machine; tests assert on the
measured peak, and never on the time, which is only reported.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CAP = 3 << 30  # address space: a runaway fails here instead of swapping the machine


@dataclass(frozen=True)
class Run:
    status: int  # the exit status; -9 when killed at the timeout
    output: str
    peak_mb: float
    seconds: float  # reported, never asserted


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))


def run_command(args: list[str], root: Path, timeout: float = 120.0) -> Run:
    """`python -m worker ARGS` (the author's file commands) in a child: what it did."""
    env = {**os.environ, "PYTHONPATH": str(root), "LOG_LEVEL": "WARNING"}
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(  # reaped below with wait4, for its rusage
            [sys.executable, "-m", "worker", *args],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=_capped,
        )
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                child.send_signal(signal.SIGKILL)
                _, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not reap it again
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Run(child.returncode, output, usage.ru_maxrss / 1024, time.monotonic() - started)


STAMP = ["--name", "Ada Lovelace", "--email", "ada@example.com", "--order", "hostile-1"]


def commands(path: Path, out: Path) -> dict[str, list[str]]:
    """The three file commands every hostile file goes through."""
    return {
        "stamp": ["stamp", str(path), str(out / f"copy.{path.suffix.lstrip('.')}"), *STAMP],
        "check": ["check", str(path), "--out", str(out)],
        "trace": ["trace", str(path), "--no-ocr"],
    }


def main() -> None:
    """Print each hostile file's fate under stamp, check and trace: refused by which limit, or
    stamped; exit status, peak RSS and (for reading, not asserting) seconds."""
    from tests.corpus.hostile import HOSTILE

    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        print(f"{'file':34} {'command':7} {'exit':>4} {'peak MB':>8} {'s':>6}  outcome")
        for case in HOSTILE:
            path = work / f"{case.name}.{case.suffix}"
            path.write_bytes(case.build())
            for name, args in commands(path, work).items():
                run = run_command(args, root)
                limit = next(
                    (w.strip("()") for w in run.output.split() if w.startswith("(STAMP_MAX_")), ""
                )
                outcome = f"refused: {limit}" if limit else _last(run.output)
                print(
                    f"{case.name:34} {name:7} {run.status:>4} {run.peak_mb:>8.0f} "
                    f"{run.seconds:>6.1f}  {outcome}",
                    flush=True,
                )
            path.unlink()


def _last(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(("problem:", "verdict:"))]
    text = (lines or output.strip().splitlines() or [""])[0]
    return text[:70]


if __name__ == "__main__":
    main()
