"""terraform/README.md: its inputs and outputs tables match the .tf files, and
it says how the lock file comes to be committed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.deploy.terraform import ROOT, TERRAFORM, variables

SCRIPT = ROOT / "tools" / "terraform_docs.py"


def terraform_docs():
    spec = importlib.util.spec_from_file_location("terraform_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_tables_are_current():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_stale_table_is_found():
    docs = terraform_docs()
    readme = (TERRAFORM / "README.md").read_text()
    stale = readme.replace("| `alert_email` |", "| `alert_mail` |")
    assert stale != readme
    assert docs.updated(stale) == readme


def test_every_variable_has_a_row():
    rows = {
        row.split(" | ")[0].strip("| `"): row.split(" | ")
        for row in terraform_docs().render().split("## Outputs")[0].splitlines()
        if row.startswith("| `")
    }
    for name, body in variables().items():
        assert name in rows
        assert (rows[name][2] == "required") == ("default" not in body), name


def test_the_readme_says_to_commit_the_lock_file():
    readme = (TERRAFORM / "README.md").read_text()
    assert ".terraform.lock.hcl" in readme
    assert "git add terraform/.terraform.lock.hcl" in readme
