"""The layout `terraform fmt` gives a .tf file, checked without the terraform binary.

CI has no terraform, so this re-implements the parts of hclwrite's formatter
(hashicorp/hcl hclwrite/format.go) that hand edits most often break:

- indentation is two spaces per open bracket (a line that starts with a
  closing bracket belongs to the outer level);
- in a run of consecutive lines that each hold a whole `key = value` (nothing
  left open at the end of the line; a heredoc counts as one line), every `=`
  sits one column after the longest key; a blank line, a comment line or a
  block line ends the run;
- exactly one space follows `=`, and one precedes it outside a run;
- no trailing whitespace, and the file ends with exactly one newline
  (stricter than terraform fmt, which leaves spaces after a comment and a
  second final newline alone).

It reads strings, `${...}` templates, comments and heredocs just enough to
find the brackets and the `=` that belong to the code. Run it on a file with
`python -m tests.deploy.hcl_format FILE...`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

OPENERS, CLOSERS = "{[(", "}])"
HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)")


@dataclass
class Line:
    number: int
    text: str
    net: int = 0  # brackets opened minus closed, in code
    equal: int | None = None  # column of the first `=` of an assignment
    rhs_net: int = 0  # brackets left open from that `=` to the end of the line
    heredoc: str | None = None  # terminator of a heredoc this line opens
    in_heredoc: bool = False

    @property
    def assignment(self) -> bool:
        """A whole `key = value` (or `key = <<EOT`): the lines terraform fmt aligns."""
        return self.equal is not None and self.rhs_net == 0


def _scan(line: Line) -> None:
    """Find the code's brackets, first `=` and heredoc opener on one line."""
    text, i, modes = line.text, 0, ["code"]  # modes: code, str, tmpl (a ${...})
    depth = [0]  # open braces inside each template frame
    while i < len(text):
        c, mode = text[i], modes[-1]
        if mode == "str":
            if c == "\\":
                i += 1
            elif text.startswith(("$${", "%%{"), i):
                i += 2
            elif text.startswith(("${", "%{"), i):
                modes.append("tmpl")
                depth.append(0)
                i += 1
            elif c == '"':
                modes.pop()
        else:
            if c == '"':
                modes.append("str")
            elif c == "#" or text.startswith("//", i):
                break
            elif mode == "tmpl" and c == "}" and depth[-1] == 0:
                modes.pop()
                depth.pop()
            elif c in OPENERS or c in CLOSERS:
                step = 1 if c in OPENERS else -1
                if mode == "tmpl":
                    depth[-1] += step
                else:
                    line.net += step
                    if line.equal is not None:
                        line.rhs_net += step
            elif mode == "code" and text.startswith("<<", i) and HEREDOC.match(text, i):
                line.heredoc = HEREDOC.match(text, i).group(1)
                i += len(HEREDOC.match(text, i).group(0)) - 1
            elif (
                mode == "code"
                and c == "="
                and line.equal is None
                and text[i - 1 : i] not in ("=", "!", "<", ">")
                and text[i + 1 : i + 2] not in ("=", ">")
                and text[:i].strip()
            ):
                line.equal = i
        i += 1


def _lines(text: str) -> list[Line]:
    lines, terminator = [], None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = Line(number, raw)
        if terminator is not None:
            line.in_heredoc = True
            if raw.strip() == terminator:
                terminator = None
        else:
            _scan(line)
            terminator = line.heredoc
        lines.append(line)
    return lines


def _indentation(lines: list[Line]) -> list[str]:
    problems, stack = [], 0
    for line in lines:
        stripped = line.text.strip()
        if line.in_heredoc or not stripped:
            continue
        if stripped[0] in CLOSERS and stack:
            stack -= 1
        indent = len(line.text) - len(line.text.lstrip(" "))
        if line.text[indent : indent + 1] == "\t" or indent != 2 * stack:
            problems.append(f"{line.number}: indented {indent}, expected {2 * stack}")
        if line.net > 0:
            stack += 1
        elif line.net < 0 and stripped[0] not in CLOSERS and stack:
            stack -= 1
    return problems


def _equals(lines: list[Line]) -> list[str]:
    problems, run = [], []

    def close() -> None:
        if run:
            column = max(len(r.text[: r.equal].rstrip()) for r in run) + 1
            for r in run:
                if r.equal != column:
                    problems.append(f"{r.number}: `=` at column {r.equal}, expected {column}")
        run.clear()

    for line in lines:
        if line.in_heredoc:
            continue  # a heredoc's body and terminator belong to the line that opens it
        if not line.assignment:
            close()
        else:
            run.append(line)
        if line.equal is not None:
            after = line.text[line.equal + 1 :]
            if not (after.startswith(" ") and after[1:2] not in (" ", "")):
                problems.append(f"{line.number}: one space must follow `=`")
            key = line.text[: line.equal]
            if not line.assignment and not (key.endswith(" ") and key[-2:-1] != " "):
                problems.append(f"{line.number}: one space must precede `=`")
    close()
    return problems


def problems(text: str) -> list[str]:
    """Where a .tf text differs from what terraform fmt would write."""
    lines = _lines(text)
    found = [f"{x.number}: trailing whitespace" for x in lines if x.text != x.text.rstrip()]
    if not text.endswith("\n") or text.endswith("\n\n"):
        found.append("the file must end with exactly one newline")
    return found + _indentation(lines) + _equals(lines)


if __name__ == "__main__":
    status = 0
    for name in sys.argv[1:]:
        for problem in problems(Path(name).read_text()):
            print(f"{name}:{problem}")
            status = 1
    sys.exit(status)
