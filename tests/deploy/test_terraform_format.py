"""terraform/ is laid out as `terraform fmt` writes it, checked without terraform.

The checker (tests/deploy/hcl_format.py) is itself tested on the layouts a
hand edit most often leaves behind.
"""

from __future__ import annotations

import pytest

from tests.deploy.hcl_format import problems
from tests.deploy.terraform import TERRAFORM, tf_files

CANONICAL = """\
resource "x" "y" {
  name        = "a"
  description = "b = c"

  # A comment ends a run of aligned lines.
  ingress = "all"
  labels = {
    app = "z"
  }
  for_each = { for k, v in local.m : k => v if v != "" }
  text     = "${join(",", var.list)} = ${var.x}"
  json     = <<-EOT
    {"a":  1}
  EOT
  after    = 1
}
"""


@pytest.mark.parametrize(
    "path", tf_files() + sorted(TERRAFORM.glob("*.example")), ids=lambda p: p.name
)
def test_every_file_is_as_terraform_fmt_writes_it(path):
    assert problems(path.read_text()) == []


def test_the_checker_accepts_canonical_layout():
    assert problems(CANONICAL) == []


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        # The layout run.tf had before `terraform fmt`: aligned to a key of another block.
        (CANONICAL.replace('name        = "a"', 'name           = "a"'), "`=` at column"),
        (CANONICAL.replace('  ingress = "all"', '  ingress  = "all"'), "`=` at column"),
        (CANONICAL.replace('name        = "a"', 'name = "a"'), "`=` at column"),
        (CANONICAL.replace("  labels = {", "  labels  = {"), "one space must precede"),
        (CANONICAL.replace('ingress = "all"', 'ingress =  "all"'), "one space must follow"),
        (CANONICAL.replace('    app = "z"', '   app = "z"'), "indented 3, expected 4"),
        (CANONICAL.replace("  }\n  for_each", "    }\n  for_each"), "indented 4, expected 2"),
        (CANONICAL.replace('  ingress = "all"', '\tingress = "all"'), "indented 0, expected 2"),
        (CANONICAL.replace('"all"\n', '"all"  \n'), "trailing whitespace"),
        (CANONICAL.replace("json     = <<-EOT", "json = <<-EOT"), "`=` at column"),
        (CANONICAL.replace("after    = 1", "after = 1"), "`=` at column"),
        (CANONICAL + "\n", "exactly one newline"),
        (CANONICAL.rstrip("\n"), "exactly one newline"),
    ],
)
def test_the_checker_finds_non_canonical_layout(broken, problem):
    assert any(problem in p for p in problems(broken)), problems(broken)
