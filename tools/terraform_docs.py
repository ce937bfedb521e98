"""Regenerate the inputs and outputs tables of terraform/README.md, offline.

A small stand-in for terraform-docs: python-hcl2 reads every variable and
output block of terraform/*.tf (in file order), and the tables replace what
stands between the BEGIN_TF_DOCS and END_TF_DOCS markers of the README.

    .venv/bin/python tools/terraform_docs.py          # rewrite the README
    .venv/bin/python tools/terraform_docs.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[1]
TERRAFORM = ROOT / "terraform"
README = TERRAFORM / "README.md"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _blocks(kind: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(TERRAFORM.glob("*.tf")):
        with path.open() as f:
            for block in hcl2.load(f).get(kind, []):
                found += [(name.strip('"'), body) for name, body in block.items()]
    return found


def _string(value: str) -> str:
    """A quoted HCL string literal as its text."""
    return json.loads(value) if value.startswith('"') else value


def _expression(value: Any) -> str:
    """A parsed value as it would be written in HCL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_expression(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{k} = {_expression(v)}" for k, v in value.items() if not k.startswith("__"))
        return "{" + ", ".join(items) + "}"
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The text between the markers: an inputs table and an outputs table."""
    rows = ["## Inputs", "", "| Name | Type | Default | Description |", "|---|---|---|---|"]
    for name, body in _blocks("variable"):
        default = f"`{_cell(_expression(body['default']))}`" if "default" in body else "required"
        kind = _cell(_expression(body["type"]))
        description = _cell(_string(body["description"]))
        rows.append(f"| `{name}` | `{kind}` | {default} | {description} |")
    rows += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in _blocks("output"):
        rows.append(f"| `{name}` | {_cell(_string(body['description']))} |")
    return "\n".join(rows)


def updated(readme: str) -> str:
    """The README with fresh tables between the markers."""
    head, begin, rest = readme.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise SystemExit(f"{README}: the {BEGIN} and {END} markers are missing")
    return f"{head}{BEGIN}\n{render()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = parser.parse_args(argv)
    current = README.read_text()
    fresh = updated(current)
    if args.check:
        if fresh != current:
            print(f"{README} is stale: run python tools/terraform_docs.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
