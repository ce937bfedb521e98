"""Read the Dockerfile the way the builder does: continuation lines joined,
one instruction per entry, comments dropped."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; `\\` at a line end continues the line."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in path.read_text().splitlines():
        if not pending and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            keyword, _, args = whole.partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def args_of(keyword: str) -> list[str]:
    return [args for kw, args in instructions() if kw == keyword]


def command() -> list[str]:
    """The container's command line: ENTRYPOINT then CMD, as exec-form lists."""
    argv: list[str] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        found = args_of(keyword)
        if found:
            value = found[-1]
            argv += json.loads(value) if value.startswith("[") else ["/bin/sh", "-c", value]
    return argv


def env_defaults() -> dict[str, str]:
    """ENV key=value pairs (the form this Dockerfile uses)."""
    env: dict[str, str] = {}
    for args in args_of("ENV"):
        env.update(dict(re.findall(r"(\w+)=(\S+)", args)))
    return env
