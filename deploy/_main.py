"""make deploy: from an authenticated gcloud and an empty project to a live shop.

Each step looks before it acts and does nothing when its work is done, so a
second run changes nothing and says so. DRY_RUN=1 runs only the look-ups and
prints every command a real run would run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from deploy import _steps as steps
from deploy._inputs import InputError, Inputs, read_inputs
from deploy._preflight import preflight
from deploy._run import DeployError, Runner
from deploy._sale import test_sale


def main(environ: dict[str, str] | None = None) -> int:
    try:
        inputs = read_inputs(environ)
    except InputError as exc:
        print(f"make deploy: {exc}", file=sys.stderr)
        return 1
    run = Runner(dry_run=inputs.dry_run, cwd=inputs.root, env=inputs.env)
    try:
        return deploy(inputs, run)
    except DeployError as exc:
        print(f"make deploy: {exc}", file=sys.stderr)
        print("make deploy: fix that and run it again: finished steps are skipped", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("make deploy: interrupted; run it again to carry on", file=sys.stderr)
        return 130


def deploy(inputs: Inputs, run: Runner) -> int:
    mode = "dry run: nothing will change" if inputs.dry_run else "for real"
    source = (
        "terraform.tfvars.example (no terraform.tfvars yet)" if inputs.example else inputs.tfvars
    )
    run.say(f"make deploy ({mode}): project {inputs.project}, region {inputs.region},")
    run.say(f"  stores {', '.join(inputs.merchants)}, settings from {source}")
    _step(run, 1, "Preflight: what is missing")
    facts = preflight(inputs, run)
    if facts.problems and not inputs.dry_run:
        raise DeployError(f"{len(facts.problems)} thing(s) missing, listed above; nothing changed")
    plan: list[tuple[str, Callable[[], object]]] = [
        ("The APIs", lambda: steps.enable_apis(inputs, run)),
        ("Terraform's state bucket", lambda: steps.state_bucket(inputs, run)),
        ("Terraform: the secrets first", lambda: _first_apply(inputs, run)),
        ("A version in each secret", lambda: steps.secret_versions(inputs, run)),
        (
            "Terraform: everything else",
            lambda: steps.terraform(inputs, run, (), "the whole deployment"),
        ),
    ]
    for number, (title, action) in enumerate(plan, start=2):
        _step(run, number, title)
        action()
    outs = steps.outputs(inputs, run, facts)
    _step(run, 7, "Originals and catalog")
    catalog_changed = steps.upload_books(inputs, run, str(outs["source_bucket"]))
    _step(run, 8, "Build and deploy")
    built = steps.build(inputs, run, outs)
    services = [inputs.name, f"{inputs.name}-worker"]
    if catalog_changed and not built:
        steps.roll(inputs, run, "exlibris-catalog=deploy", services, "start on the new catalog")
    _step(run, 9, "The stores' webhooks")
    added = steps.connect(inputs, run, outs)
    if added:
        steps.roll(inputs, run, "exlibris-secrets=connected", services[:1], "read the new secret")
    _step(run, 10, "A signed test sale")
    test_sale(inputs, run, outs)
    _finish(inputs, run, outs)
    return 0


def _first_apply(inputs: Inputs, run: Runner) -> None:
    steps.terraform_init(inputs, run)
    steps.terraform(inputs, run, steps.FIRST_TARGETS, "the secrets and the log metric")


def _step(run: Runner, number: int, title: str) -> None:
    run.say(f"\n{number}. {title}")


def _finish(inputs: Inputs, run: Runner, outs: dict[str, object]) -> None:
    run.say("")
    if inputs.dry_run:
        run.say("Dry run: nothing was changed. Run `make deploy` to do the above.")
    elif run.changes:
        run.say(f"Done: {len(run.changes)} change(s). The shop is at {outs.get('service_url')}")
    else:
        run.say("Nothing to do: the deployment already matches. Nothing was changed.")
