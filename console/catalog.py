"""`exlibris catalog push FILE`: a changed catalog live in a minute, without a build.

The file is checked first with the parser both services load it with
(common/catalog), and every original it names must already be in the source
bucket: a catalog that would refuse or dead-letter sales is refused in words and
nothing is uploaded. It is then written over the catalog object (CATALOG when
that is a gs:// URI, else gs://SOURCE_BUCKET/catalog.toml) under a generation
precondition, so two pushes at once cannot silently overwrite each other.

Both services load the catalog when an instance starts, so the push ends by
rolling them to a new revision of the same image: `gcloud run services update
NAME --update-labels=exlibris-catalog=GENERATION`. Any configuration change
makes a revision, and labels set with gcloud go on the service and on its
revision template ("when you set a label on a Cloud Run service, a new revision
with this label is created for this service"; "If you configure labels using
the Google Cloud CLI, Cloud Run adds the labels to both metadata.labels and
spec.template.metadata.labels": https://cloud.google.com/run/docs/configuring/services/labels).
A label rather than an environment variable, because Terraform owns the
environment and ignores template labels (terraform/run.tf); its value says
which catalog a revision started with. Needs storage.objects.create on the
source bucket and run.services.update on both services (roles/run.developer).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
from pathlib import Path

from common.catalog import Catalog, CatalogError, parse_catalog, with_logos
from common.storage import NotFound, PreconditionFailed, exists
from console.deps import ConsoleDeps
from console.errors import ConsoleError

CATALOG_OBJECT = "catalog.toml"
# A catalog is a few lines per product: a megabyte is thousands of products, and more is a mistake.
MAX_CATALOG_BYTES = 1024 * 1024
ROLL_LABEL = "exlibris-catalog"
GCLOUD_TIMEOUT = 300.0  # a revision rollout takes tens of seconds; a hung gcloud does not hang us


def run_catalog_push(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    text = read_catalog_file(Path(args.file))
    catalog = check_catalog(text, deps.settings.sender_domains)
    bucket, name = catalog_object(deps)
    services = args.services or default_services(deps)
    if not deps.settings.embedded and not args.region and not args.no_roll:
        raise ConsoleError(
            "--region: the services' region (terraform.tfvars's region), to roll them onto the "
            "new catalog; or --no-roll"
        )
    _check_originals(deps, catalog)
    generation = _upload(deps, bucket, name, text.encode())
    if generation is None:
        deps.out.print(f"gs://{bucket}/{name} is already this catalog: nothing uploaded, no roll")
        return 0
    deps.out.print(
        f"uploaded gs://{bucket}/{name} (generation {generation}, "
        f"{len(catalog.products)} products)",
        markup=False,
    )
    if args.no_roll or not args.region:
        deps.out.print("the services read it when an instance starts (restart `make run`)")
        return 0
    for service in services:
        label = f"{ROLL_LABEL}={generation}"
        command = roll_command(service, deps.settings.google_cloud_project, args.region, label)
        deps.out.print(f"rolling {service}: {shlex.join(command)}", markup=False)
        _gcloud(command)
    deps.out.print(f"{', '.join(services)} now start with catalog generation {generation}")
    return 0


def read_catalog_file(path: Path) -> str:
    """The catalog's text, refused in words when it is missing, huge or not UTF-8."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CATALOG_BYTES + 1)
    except OSError as exc:
        raise ConsoleError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_CATALOG_BYTES:
        raise ConsoleError(f"{path} is over {MAX_CATALOG_BYTES} bytes: that is not a catalog")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConsoleError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def check_catalog(text: str, sender_domains: tuple[str, ...]) -> Catalog:
    """The parsed catalog, or a ConsoleError saying what is wrong and that nothing was pushed."""
    try:
        return parse_catalog(text, sender_domains=sender_domains)
    except CatalogError as exc:
        raise ConsoleError(f"not pushed: {exc}") from None


def catalog_object(deps: ConsoleDeps) -> tuple[str, str]:
    """Where the services read the catalog: CATALOG's gs:// URI, else the source bucket's."""
    location = deps.settings.catalog
    if location.startswith("gs://"):
        bucket, _, name = location.removeprefix("gs://").partition("/")
        if bucket and name:
            return bucket, name
    if not deps.settings.embedded:
        raise ConsoleError(f"CATALOG is {location!r}: the services read no bucket to push to")
    return deps.settings.source_bucket, CATALOG_OBJECT


def default_services(deps: ConsoleDeps) -> list[str]:
    """Terraform's names: NAME and NAME-worker, where the topic is NAME-orders (run.tf)."""
    topic = deps.settings.pubsub_topic
    name = topic.removesuffix("-orders") if topic != "orders" else "exlibris"
    return [name, f"{name}-worker"]


def roll_command(service: str, project: str, region: str, label: str) -> list[str]:
    """A new revision of the same image, labelled (KEY=VALUE) with what it is to load."""
    command = ["gcloud", "run", "services", "update", service, f"--region={region}"]
    if project:
        command.append(f"--project={project}")
    return [*command, f"--update-labels={label}", "--quiet"]


def _check_originals(deps: ConsoleDeps, catalog: Catalog) -> None:
    bucket = deps.settings.source_bucket
    sources = dict.fromkeys(f.source for p in catalog.products for f in p.files)
    missing = [s for s in sources if not exists(deps.storage, bucket, s)]
    if missing:
        raise ConsoleError(
            f"not pushed: gs://{bucket} lacks {', '.join(missing)}; a sale of it would fail. "
            f"Upload it first: gcloud storage cp FILE gs://{bucket}/"
        )
    try:  # the services inline each logo at start-up: one they would refuse is refused now
        with_logos(catalog, lambda name: deps.storage.read(bucket, name).data)
    except CatalogError as exc:
        raise ConsoleError(f"not pushed: {exc}") from None


def _upload(deps: ConsoleDeps, bucket: str, name: str, data: bytes) -> int | None:
    """The new generation, or None when the object already holds exactly these bytes."""
    try:
        current = deps.storage.read(bucket, name)
    except NotFound:
        current = None
    if current is not None and current.data == data:
        return None
    try:
        return deps.storage.write(
            bucket,
            name,
            data,
            content_type="application/toml",
            if_generation_match=current.generation if current else 0,
        )
    except PreconditionFailed:
        raise ConsoleError(
            f"gs://{bucket}/{name} changed while pushing (another push?): nothing overwritten; "
            "run it again"
        ) from None


def _gcloud(command: list[str]) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=GCLOUD_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise ConsoleError(
            "gcloud is not installed: the catalog is uploaded; roll the services with "
            f"{shlex.join(command)}"
        ) from None
    except subprocess.TimeoutExpired:
        raise ConsoleError(f"gcloud did not finish in {GCLOUD_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        said = " ".join(done.stderr.split())[-600:]
        raise ConsoleError(f"the catalog is uploaded, but the roll failed: {said}")
