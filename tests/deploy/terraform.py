"""Read terraform/ offline with python-hcl2: the deploy tests' view of the graph.

There is no terraform binary in CI, so the tests parse the HCL and look at
resources, references and literal values. python-hcl2 keeps string literals
quoted (`'"x"'`) and expressions as `${...}` text; `literal` and `text` undo
that for the checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"

# Both Cloud Run services are one resource over local.runs (run.tf), keyed
# "service" and "worker"; the IAM grants refer to RUN["service"], RUN["worker"]
# or, for a grant on each of them, RUN[each.key] with for_each = local.runs.
RUN = "google_cloud_run_v2_service.app"


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def text(self) -> str:
        """The body as one string without comments, to search for references."""
        return json.dumps(_without_comments(self.body))

    def refers_to(self, address: str) -> bool:
        """Whether an expression names the address: `x.y["k"]` for one instance, or
        `x.y` itself (not followed by an index) for all of them."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(address)}(?![\w\[])")
        return any(pattern.search(s) for s in strings(self.body))


def strings(value: Any) -> list[str]:
    """Every string in a parsed body, comments left out."""
    value = _without_comments(value)
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def _without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_comments(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_without_comments(v) for v in value]
    return value


def literal(value: Any) -> Any:
    """A quoted HCL string literal as plain text; anything else unchanged."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def unquote_key(key: str) -> str:
    return key.strip('"')


def tf_files() -> list[Path]:
    return sorted(TERRAFORM.glob("*.tf"))


@cache
def parsed(name: str) -> dict[str, Any]:
    with (TERRAFORM / name).open() as f:
        return hcl2.load(f)


def blocks(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(file, block) for every top-level block of a kind (resource, variable...)."""
    return [(p.name, b) for p in tf_files() for b in parsed(p.name).get(kind, [])]


def resources(type_: str | None = None) -> list[Resource]:
    found = []
    for file, block in blocks("resource"):
        for rtype, named in block.items():
            for rname, body in named.items():
                found.append(Resource(unquote_key(rtype), unquote_key(rname), body, file))
    return [r for r in found if type_ is None or r.type == type_]


def resource(type_: str, name: str) -> Resource:
    matches = [r for r in resources(type_) if r.name == name]
    assert matches, f"{type_}.{name} is not declared"
    return matches[0]


def run_resource() -> Resource:
    """The one google_cloud_run_v2_service, whose instances are the two services."""
    (run,) = resources("google_cloud_run_v2_service")
    assert run.address == RUN
    return run


def runs() -> dict[str, dict[str, Any]]:
    """local.runs: service key => the values its instance of RUN takes."""
    return {k: v for k, v in locals_()["runs"].items() if not k.startswith("__")}


def run_value(key: str, attribute: str) -> Any:
    """What `each.value.ATTRIBUTE` is for one service, as parsed."""
    return runs()[key][attribute]


def variables() -> dict[str, dict[str, Any]]:
    return {
        unquote_key(name): body for _, block in blocks("variable") for name, body in block.items()
    }


def locals_() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, block in blocks("locals"):
        merged.update({k: v for k, v in block.items() if k != "__is_block__"})
    return merged


def source_text(*, exclude: tuple[str, ...] = ()) -> str:
    """All .tf text but the named files, comments included (hcl2 drops them)."""
    return "\n".join(p.read_text() for p in tf_files() if p.name not in exclude)


def env_names(value: str | dict[str, Any]) -> set[str]:
    """Upper-case keys of an object: a literal map, or text like `merge(local.x, {A = 1})`."""
    if isinstance(value, dict):
        return {k for k in value if not k.startswith("__")}
    return set(re.findall(r"\b([A-Z][A-Z0-9_]+) = ", value))
