"""The steps `exlibris paddle` and `exlibris stripe` share: webhook URL, secret, catalog entries.

connect takes the service's https URL ending in /webhooks/<merchant>, reports a
destination that already delivers there, and keeps the secret of a new one
under terraform's name (console/secret_store.py). products prints a
catalog.toml table per product, to paste into the catalog. What differs (the
events, the API's shapes, the catalog's id key) stays in console/paddle.py and
console/stripe.py.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from console.deps import ConsoleDeps
from console.errors import ConsoleError


def webhook_url(url: str, merchant: str) -> str:
    """The service's https URL ending in /webhooks/<merchant>; a ConsoleError for any other."""
    parts = urlsplit(url.strip())
    route = f"/webhooks/{merchant}"
    if parts.scheme != "https" or not parts.hostname or not parts.path.endswith(route):
        raise ConsoleError(f"--url: the service's https URL ending in {route}")
    return url.strip()


def secret_id_of(deps: ConsoleDeps, merchant: str) -> str:
    """Terraform's `<name>-<merchant>-webhook-secret`; the topic is `<name>-orders` (run.tf)."""
    topic = deps.settings.pubsub_topic
    name = topic.removesuffix("-orders") if topic != "orders" else "exlibris"
    return f"{name}-{merchant}-webhook-secret"


def report_existing(
    deps: ConsoleDeps, found: object, url: object, missing: Sequence[str], dashboard: str
) -> None:
    """Say which destination already delivers to the URL, and which of our events it lacks."""
    deps.out.print(f"already connected: {found} → {url}; nothing changed")
    if missing:
        deps.out.print(f"note: it does not send {', '.join(missing)}; add them in {dashboard}")


def keep_secret(deps: ConsoleDeps, args: argparse.Namespace, merchant: str, secret: str) -> int:
    """Keep a new destination's secret (--secret-id or terraform's name); exit status 0."""
    where = deps.secrets().add(args.secret_id or secret_id_of(deps, merchant), secret)
    deps.out.print(f"webhook secret kept in {where}", markup=False)
    if not deps.settings.embedded:
        deps.out.print("the service reads it when a new revision starts: deploy to switch now")
    return 0


def catalog_entry(
    product: dict[str, Any],
    taken: set[str],
    ids_key: str,
    ids: Sequence[str],
    prices: Iterable[tuple[object, str]],
) -> str:
    """A [products.<slug>] table for catalog.toml (TOML basic strings are JSON strings)."""
    name = str(product.get("name") or product.get("id"))
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"
    if slug in taken:  # two products of one name: a table may appear only once
        slug = f"{slug}-{re.sub(r'[^a-z0-9]+', '-', str(product.get('id')).lower())}"
    taken.add(slug)
    lines = [f"[products.{slug}]"]
    lines += [f"# {price_id}: {text}" for price_id, text in prices]
    lines += [
        f"{ids_key} = [{', '.join(json.dumps(i) for i in ids)}]",
        f"title = {json.dumps(name, ensure_ascii=False)}",
        "files = [",
        f"  {{ source = {json.dumps(slug + '.pdf')}, stamp = true, skip_pages = 1 }},",
        "]",
        "",
    ]
    return "\n".join(lines)


def price_text(*parts: object) -> str:
    """A price's comment: the parts that are set, on one line ("price" when none is)."""
    text = " ".join(str(p) for p in parts if p)
    return re.sub(r"[\r\n]+", " ", text) or "price"


def print_entries(deps: ConsoleDeps, entries: Iterable[str]) -> int:
    """Write the catalog entries to the console's output as they are; exit status 0."""
    deps.out.file.write("\n".join(entries))
    deps.out.file.flush()
    return 0
