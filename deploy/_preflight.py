"""Before anything changes: what is missing, each with the command or page that fixes it.

Every check only reads (gcloud auth list, projects describe, billing projects
describe, secrets versions list), so a dry run runs them too. A real run stops
here when anything is missing and changes nothing; a dry run lists the problems
and goes on to show the whole plan. The APIs are the one gap make deploy fills
itself (step 2): enabling an API is free, but only once billing is on.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from email.utils import parseaddr

from common.catalog import CatalogError, parse_catalog
from deploy._inputs import Inputs
from deploy._run import Runner

TOOLS = {
    "gcloud": "install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install",
    "terraform": "install Terraform 1.9 or newer: https://developer.hashicorp.com/terraform/install",
    "git": "install git (the build is tagged with the commit)",
}


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str


@dataclass
class Facts:
    """What the checks found that later steps use."""

    account: str = ""
    project_number: str = ""
    problems: list[Problem] = field(default_factory=list)

    def missing(self, what: str, fix: str) -> None:
        self.problems.append(Problem(what, fix))


def preflight(inputs: Inputs, run: Runner) -> Facts:
    facts = Facts()
    path = inputs.env.get("PATH")
    for tool, fix in TOOLS.items():
        if shutil.which(tool, path=path) is None:
            facts.missing(f"{tool} is not on PATH", fix)
    if inputs.example:
        facts.missing(
            f"{inputs.tfvars} is missing (this plan uses terraform.tfvars.example's values)",
            f"cp terraform/terraform.tfvars.example {inputs.tfvars}, then edit project_id, "
            "shop_name, mail_from, merchants and alert_email",
        )
    if shutil.which("gcloud", path=path) is not None:
        _google(inputs, run, facts)
    _mail(inputs, run, facts)
    _keys(inputs, run, facts)
    _catalog(inputs, facts)
    for problem in facts.problems:
        run.say(f"  ✗ {problem.what}\n      fix: {problem.fix}")
    if not facts.problems:
        run.say("  ✓ nothing missing")
    return facts


def _google(inputs: Inputs, run: Runner, facts: Facts) -> None:
    accounts = run.read(
        ["gcloud", "auth", "list", "--filter=status:ACTIVE", "--format=value(account)"]
    )
    facts.account = accounts.out.strip().splitlines()[0] if accounts.out.strip() else ""
    if not facts.account:
        facts.missing("gcloud is not signed in", "gcloud auth login")
        return
    run.say(f"  ✓ gcloud signed in as {facts.account}")
    adc = run.read(["gcloud", "auth", "application-default", "print-access-token"])
    if adc.status != 0:
        facts.missing(
            "no Application Default Credentials (Terraform and exlibris use them)",
            "gcloud auth application-default login",
        )
    project = run.read(
        ["gcloud", "projects", "describe", inputs.project, "--format=value(projectNumber)"]
    )
    if project.status != 0:
        facts.missing(
            f"project {inputs.project}: {project.said}",
            f"gcloud projects create {inputs.project} (or put your project in project_id "
            f"in {inputs.tfvars.name}); you need roles/owner on it",
        )
        return
    facts.project_number = project.out.strip()
    run.say(f"  ✓ project {inputs.project} (number {facts.project_number})")
    billing = run.read(
        [
            "gcloud",
            "billing",
            "projects",
            "describe",
            inputs.project,
            "--format=value(billingEnabled)",
        ]
    )
    if billing.status != 0 or billing.out.strip().lower() != "true":
        said = billing.said if billing.status != 0 else "billing is not enabled"
        facts.missing(
            f"project {inputs.project}: {said}",
            "gcloud billing accounts list   # the ACCOUNT_ID column, then:\n"
            f"           gcloud billing projects link {inputs.project} "
            "--billing-account=ACCOUNT_ID",
        )
    else:
        run.say(f"  ✓ billing enabled on {inputs.project}")


def has_version(inputs: Inputs, run: Runner, secret: str) -> bool:
    """Whether the secret exists with an enabled version (a missing one, or its API off: no)."""
    done = run.read(
        [
            "gcloud",
            "secrets",
            "versions",
            "list",
            secret,
            f"--project={inputs.project}",
            "--filter=state:ENABLED",
            "--format=value(name)",
            "--limit=1",
        ]
    )
    return done.status == 0 and bool(done.out.strip())


def _mail(inputs: Inputs, run: Runner, facts: Facts) -> None:
    address = parseaddr(inputs.mail_from)[1]  # "Name <address>" or a bare address
    if not address or address.endswith(".example"):
        facts.missing(
            f"mail_from in {inputs.tfvars.name} is {inputs.mail_from or 'empty'}",
            "an address on your own domain, authenticated at SendGrid (Settings > Sender "
            "Authentication; a Single Sender verification is enough to try things out)",
        )
    key = inputs.env.get("SENDGRID_API_KEY", "").strip()
    if key and not key.startswith("SG."):
        facts.missing(
            "SENDGRID_API_KEY does not start with SG.", "copy the whole key SendGrid shows"
        )


def _keys(inputs: Inputs, run: Runner, facts: Facts) -> None:
    """Every key the chosen stores (and SendGrid) need, unless Secret Manager has it already."""
    for spec in inputs.secrets():
        if spec.source != "env" or inputs.env.get(spec.env, "").strip():
            continue
        if not inputs.example and has_version(inputs, run, inputs.secret(spec)):
            continue
        facts.missing(f"{spec.env} is not set", f"{spec.where}; then export {spec.env}=…")


def _catalog(inputs: Inputs, facts: Facts) -> None:
    if not inputs.catalog_file.exists():
        return  # the test product alone is sold until there is one (step 7 says so)
    try:
        text = inputs.catalog_file.read_text(encoding="utf-8")
        parse_catalog(text, sender_domains=inputs.sender_domains)
    except (CatalogError, UnicodeDecodeError) as exc:
        facts.missing(f"{inputs.catalog_file} is not a valid catalog: {exc}", "fix it and re-run")
