"""The steps of make deploy after the preflight, each doing nothing when its work is done.

Order, and why:
2. APIs: Terraform reads the project number before it can enable anything.
3. The state bucket: Terraform cannot keep its state in a bucket it creates.
4. Terraform, the secrets alone (and the log metric an alert needs minutes to know).
5. A version in each secret: Cloud Run refuses to start a service whose secret has no
   version, so a store's webhook secret, which exists only after `connect`, starts as a
   placeholder that the service's signature check can never match.
6. Terraform, everything else.
7. Originals, then the catalog that names them (and the test product).
8. The build (tests, image, both services), unless both already run this commit.
9. The stores' `connect`, replacing the placeholder; the service then rolls onto it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shlex
import tempfile
from pathlib import Path
from typing import Any

from common.catalog import CatalogError, parse_catalog
from console.catalog import roll_command
from deploy._inputs import Inputs, SecretSpec, terraform_apis
from deploy._preflight import Facts, has_version
from deploy._run import DeployError, Runner
from deploy._test_product import TEST_BOOK, catalog_with_test_product, make_test_book

# terraform/apis.tf's list, plus Service Usage, which enabling the others goes through.
APIS = tuple(sorted({*terraform_apis(), "serviceusage.googleapis.com"}))
# Cloud Run refuses a service whose secret has no version; this one matches no signature.
PLACEHOLDER = "placeholder-until-connect-"
FIRST_TARGETS = ("google_secret_manager_secret.secrets", "google_logging_metric.mail_failures")
CONNECTS = ("paddle", "stripe")  # stores whose webhook `exlibris <store> connect` creates


def enable_apis(inputs: Inputs, run: Runner) -> None:
    done = run.read(
        [
            "gcloud",
            "services",
            "list",
            "--enabled",
            f"--project={inputs.project}",
            "--format=value(config.name)",
        ]
    )
    enabled = set(done.out.split()) if done.status == 0 else set()
    missing = [a for a in APIS if a not in enabled]
    if not missing:
        run.say(f"  ✓ the {len(APIS)} APIs are enabled")
        return
    run.change(
        ["gcloud", "services", "enable", *missing, f"--project={inputs.project}"],
        f"enable {len(missing)} APIs",
    )


def state_bucket(inputs: Inputs, run: Runner) -> None:
    url = f"gs://{inputs.state_bucket}"
    found = run.read(["gcloud", "storage", "buckets", "describe", url, "--format=value(name)"])
    if found.status == 0:
        run.say(f"  ✓ {url} exists")
    else:
        run.change(
            [
                "gcloud",
                "storage",
                "buckets",
                "create",
                url,
                f"--project={inputs.project}",
                f"--location={inputs.region}",
                "--uniform-bucket-level-access",
                "--public-access-prevention",
            ],
            "the Terraform state's bucket",
        )
    versioned = run.read(
        ["gcloud", "storage", "buckets", "describe", url, "--format=value(versioning_enabled)"]
    )
    if versioned.out.strip().lower() == "true":
        run.say(f"  ✓ {url} keeps earlier states (versioning)")
    else:
        run.change(
            ["gcloud", "storage", "buckets", "update", url, "--versioning"],
            "keep earlier states, so one can be restored",
        )


def terraform(inputs: Inputs, run: Runner, targets: tuple[str, ...], what: str) -> None:
    """Plan (targets only, if any) and apply the plan when it changes something."""
    chdir = ["terraform", f"-chdir={inputs.root / 'terraform'}"]
    with tempfile.TemporaryDirectory(prefix="exlibris-deploy-") as folder:
        plan = Path(folder) / "plan"
        done = run.local(
            [
                *chdir,
                "plan",
                "-input=false",
                "-detailed-exitcode",
                f"-var-file={inputs.tfvars}",
                f"-out={plan}",
                *(f"-target={t}" for t in targets),
            ],
            f"plan {what}",
            ok=(0, 2),
        )
        if done is not None and done.status == 0:  # -detailed-exitcode: 0 none, 2 changes
            run.say(f"  ✓ {what}: no changes")
            return
        run.change([*chdir, "apply", "-input=false", str(plan)], f"apply {what}")


def terraform_init(inputs: Inputs, run: Runner) -> None:
    run.local(
        [
            "terraform",
            f"-chdir={inputs.root / 'terraform'}",
            "init",
            "-input=false",
            f"-backend-config=bucket={inputs.state_bucket}",
            "-backend-config=prefix=exlibris",
        ],
        "Terraform's providers and state",
    )


def secret_versions(inputs: Inputs, run: Runner) -> None:
    for spec in inputs.secrets():
        secret = inputs.secret(spec)
        present = has_version(inputs, run, secret)
        value = _first_value(inputs, spec)
        if present and (spec.source != "env" or latest(inputs, run, secret) == value):
            run.say(f"  ✓ {secret} has a version")
            continue
        why = {
            "generated": "a new random stamp secret (keep it: it keys every mailed link)",
            "connect": "a placeholder until the store's connect adds the real secret",
            "env": f"{spec.env} from your environment",
        }[spec.source]
        run.change(
            [
                "gcloud",
                "secrets",
                "versions",
                "add",
                secret,
                f"--project={inputs.project}",
                "--data-file=-",
            ],
            why if not present else f"{spec.env} changed: a new version",
            stdin=value,
            shown=f"gcloud secrets versions add {secret} --project={inputs.project} "
            f"--data-file=- < ({spec.source})",
        )


def latest(inputs: Inputs, run: Runner, secret: str) -> str | None:
    done = run.read(
        [
            "gcloud",
            "secrets",
            "versions",
            "access",
            "latest",
            f"--secret={secret}",
            f"--project={inputs.project}",
        ]
    )
    return done.out if done.status == 0 else None


def _first_value(inputs: Inputs, spec: SecretSpec) -> str:
    if spec.source == "generated":
        return secrets.token_urlsafe(48)
    if spec.source == "connect":
        return PLACEHOLDER + secrets.token_hex(16)
    return inputs.env.get(spec.env, "").strip()


def outputs(inputs: Inputs, run: Runner, facts: Facts) -> dict[str, Any]:
    """Terraform's outputs; in a dry run before the first apply, the names they will have."""
    done = run.read(["terraform", f"-chdir={inputs.root / 'terraform'}", "output", "-json"])
    if done.status == 0 and done.out.strip() not in ("", "{}"):
        try:
            return {k: v["value"] for k, v in json.loads(done.out).items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DeployError(f"terraform output -json gave no outputs: {done.said}") from None
    if not run.dry_run:
        raise DeployError(f"terraform output -json gave no outputs: {done.said}")
    number = facts.project_number or "PROJECT_NUMBER"
    service_url = f"https://{inputs.name}-{number}.{inputs.region}.run.app"
    public = inputs.public_url or service_url
    return {
        "service_url": service_url,
        "source_bucket": inputs.source_bucket,
        "webhook_urls": {m: f"{public}/webhooks/{m}" for m in inputs.merchants},
        "cloud_build_command": None,
    }


def upload_books(inputs: Inputs, run: Runner, bucket: str) -> bool:
    """Originals, then the catalog; whether the catalog object changed."""
    own = inputs.catalog_file.read_text(encoding="utf-8") if inputs.catalog_file.exists() else ""
    if not own:
        run.say(f"  note: no {inputs.catalog_file}: only the test product is on sale until you")
        run.say(
            "        write one (sample/catalog.toml; `exlibris paddle products` prints entries)"
        )
    text = catalog_with_test_product(own, inputs.merchants)
    try:
        catalog = parse_catalog(text, sender_domains=inputs.sender_domains)
    except CatalogError as exc:
        raise DeployError(f"{inputs.catalog_file}: {exc}") from None
    logos = [i.logo for i in catalog.imprints if i.logo]
    for source in dict.fromkeys([*(f.source for p in catalog.products for f in p.files), *logos]):
        if source == TEST_BOOK:
            _put_test_book(run, bucket)
        else:
            _put(run, inputs.books / source, f"gs://{bucket}/{source}", f"the original {source}")
    with tempfile.TemporaryDirectory(prefix="exlibris-deploy-") as folder:
        pushed = Path(folder) / "catalog.toml"
        pushed.write_text(text, encoding="utf-8")
        return _put(run, pushed, f"gs://{bucket}/catalog.toml", "the catalog")


def _put(run: Runner, path: Path, url: str, what: str) -> bool:
    """Upload unless the object holds these bytes already (by MD5, as GCS keeps it)."""
    remote = run.read(["gcloud", "storage", "objects", "describe", url, "--format=value(md5_hash)"])
    if not path.exists():
        if remote.status == 0:
            run.say(f"  ✓ {url} (no local copy at {path}; the bucket's is kept)")
            return False
        raise DeployError(f"{what}: {path} is missing and {url} is not there either")
    digest = base64.b64encode(hashlib.md5(path.read_bytes()).digest()).decode()  # noqa: S324
    if remote.status == 0 and remote.out.strip() == digest:
        run.say(f"  ✓ {url} is up to date")
        return False
    run.change(["gcloud", "storage", "cp", str(path), url], f"upload {what}")
    return True


def _put_test_book(run: Runner, bucket: str) -> None:
    url = f"gs://{bucket}/{TEST_BOOK}"
    if run.read(["gcloud", "storage", "objects", "describe", url, "--format=value(name)"]).status:
        with tempfile.TemporaryDirectory(prefix="exlibris-deploy-") as folder:
            path = Path(folder) / TEST_BOOK
            path.write_bytes(make_test_book())
            run.change(["gcloud", "storage", "cp", str(path), url], "upload the test book")
    else:
        run.say(f"  ✓ {url} exists")


def build(inputs: Inputs, run: Runner, outs: dict[str, Any]) -> bool:
    """Cloud Build (tests, image, both services) unless both run this commit; whether it ran."""
    head = run.read(["git", "rev-parse", "HEAD"])
    commit = head.out.strip() if head.status == 0 else ""
    if not commit:
        raise DeployError(f"git rev-parse HEAD: {head.said} (the image is tagged with the commit)")
    running = [
        run.read(
            [
                "gcloud",
                "run",
                "services",
                "describe",
                service,
                f"--project={inputs.project}",
                f"--region={inputs.region}",
                "--format=value(spec.template.spec.containers[0].image)",
            ]
        ).out.strip()
        for service in (inputs.name, f"{inputs.name}-worker")
    ]
    if all(image.endswith(f":{commit}") for image in running):
        run.say(f"  ✓ both services run {commit[:12]}")
        return False
    if run.read(["git", "status", "--porcelain"]).out.strip():
        run.say("  note: uncommitted changes are built too, under the commit's tag; commit first")
    command = outs.get("cloud_build_command")
    if not isinstance(command, str):
        run.change(
            ["gcloud", "builds", "submit", f"--project={inputs.project}"],
            "test, build and deploy this commit",
            shown="$(terraform -chdir=terraform output -raw cloud_build_command) "
            f"with COMMIT_SHA={commit}",
        )
        return True
    run.change(
        shlex.split(command.replace("$(git rev-parse HEAD)", commit)),
        "test, build and deploy this commit (Cloud Build, about 15 minutes)",
    )
    return True


def connect(inputs: Inputs, run: Runner, outs: dict[str, Any]) -> list[str]:
    """Each store's `connect` where its secret is still the placeholder; the secrets it set."""
    urls = outs.get("webhook_urls") or {}
    added: list[str] = []
    for store in inputs.merchants:
        url = urls.get(store, f"{outs['service_url']}/webhooks/{store}")
        if store not in CONNECTS or (store == "paddle" and not inputs.billing):
            guide = f"docs/merchants/{store}.md" if store != "paddle" else "docs/deploy.md"
            run.say(f"  {store}: paste {url} into its webhook settings ({guide})")
            continue
        secret = f"{inputs.name}-{store}-webhook-secret"
        value = latest(inputs, run, secret)
        if value is not None and not value.startswith(PLACEHOLDER):
            run.say(f"  ✓ {store} is connected ({secret} holds its secret)")
            continue
        run.change(
            ["exlibris", store, "connect", "--url", url, "--secret-id", secret],
            f"create {store}'s webhook to {url} and keep its secret",
            env=console_env(inputs, run, outs),
        )
        added.append(secret)
    return added


def console_env(inputs: Inputs, run: Runner, outs: dict[str, Any]) -> dict[str, str]:
    """The console's cloud environment (docs/deploy.md, "The console")."""
    stamp = latest(inputs, run, f"{inputs.name}-stamp-secret") or ""
    return {
        "STORAGE_BACKEND": "gcs",
        "PUBLISH_BACKEND": "pubsub",
        "GOOGLE_CLOUD_PROJECT": inputs.project,
        "PUBSUB_TOPIC": f"{inputs.name}-orders",
        "SOURCE_BUCKET": str(outs.get("source_bucket", "")),
        "DELIVERY_BUCKET": str(outs.get("delivery_bucket", "")),
        "CATALOG": str(outs.get("catalog", "")),
        "PUBLIC_URL": str(outs.get("service_url", "")),
        "STAMP_SECRET": stamp,
        "PADDLE_API_URL": inputs.paddle_api_url,
    }


def roll(inputs: Inputs, run: Runner, label: str, services: list[str], why: str) -> None:
    """A new revision of the same image, so new instances read the catalog or secrets anew."""
    for service in services:
        run.change(roll_command(service, inputs.project, inputs.region, label), why)
