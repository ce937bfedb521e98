"""How make deploy calls gcloud, terraform, git and exlibris, and what a dry run does instead.

Three kinds of call:
- `read`: asks and changes nothing (auth list, describe, versions list); it runs in a
  dry run too, so the plan shows what is already there.
- `local`: changes only this checkout (terraform init, plan): run for real, skipped in a
  dry run.
- `change`: changes the project. A dry run prints it and runs nothing; a real run prints
  it, runs it and counts it, so the last line can say whether anything changed.
Every call has a timeout; a failure is a DeployError with the tool's own last lines.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

TIMEOUT = 1800.0  # a Cloud Build with the whole test suite takes up to its own 1800 s timeout


class DeployError(Exception):
    """A step failed; the message says what failed and, where known, the fix."""


@dataclass(frozen=True)
class Done:
    status: int
    out: str
    err: str

    @property
    def said(self) -> str:
        """The tool's error, on one line and short enough to read."""
        text = " ".join((self.err or self.out).split())
        return text[-900:]


@dataclass
class Runner:
    dry_run: bool
    cwd: Path
    env: Mapping[str, str]
    out: TextIO = sys.stdout
    changes: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def read(self, command: Sequence[str], *, stdin: str | None = None) -> Done:
        """Run a command that changes nothing, also in a dry run."""
        return self._run(command, stdin)

    def local(self, command: Sequence[str], why: str, ok: tuple[int, ...] = (0,)) -> Done | None:
        """Run a command that changes only this checkout; a dry run shows it."""
        if self.dry_run:
            self.say(f"  would run: {shlex.join(command)}   # {why}")
            return None
        self.say(f"  running: {shlex.join(command)}")
        done = self._run(command, None)
        if done.status not in ok:
            raise DeployError(f"{why} failed: {done.said}")
        return done

    def change(
        self,
        command: Sequence[str],
        why: str,
        *,
        stdin: str | None = None,
        shown: str = "",
        env: Mapping[str, str] | None = None,
    ) -> Done | None:
        """Run a command that changes the project; a dry run only shows it."""
        text = shown or shlex.join(command)
        if self.dry_run:
            self.say(f"  would run: {text}   # {why}")
            return None
        self.say(f"  running: {text}   # {why}")
        self.changes.append(why)
        return self.check(self._run(command, stdin, env), why)

    def check(self, done: Done, what: str) -> Done:
        if done.status != 0:
            raise DeployError(f"{what} failed: {done.said}")
        return done

    def _run(
        self, command: Sequence[str], stdin: str | None, env: Mapping[str, str] | None = None
    ) -> Done:
        try:
            done = subprocess.run(
                list(command),
                cwd=self.cwd,
                env={**self.env, **(env or {})},
                input=stdin,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            return Done(127, "", f"{command[0]}: not installed or not on PATH")
        except subprocess.TimeoutExpired:
            return Done(124, "", f"{shlex.join(command)} did not finish in {TIMEOUT:.0f} s")
        return Done(done.returncode, done.stdout, done.stderr)
