"""`exlibris paddle connect --url URL` and `exlibris paddle products`: Paddle set up by API.

connect: lists the notification destinations (GET /notification-settings)
and does nothing when one already delivers to URL; otherwise creates it
(POST /notification-settings) for the events exlibris handles, real traffic
only, API version 1, and keeps the secret Paddle returns (console/secret_store.py).
products: prints a catalog entry per active product (GET /products with
include=prices; archived prices are left out, since include returns them all)
to paste into catalog.toml. Both need PADDLE_API_KEY (with
notification_setting.read/write, product.read) and PADDLE_API_URL.
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any
from urllib.parse import urlsplit

from console.deps import ConsoleDeps
from console.errors import ConsoleError
from console.merchant_api import MerchantApiError

EVENTS = ("transaction.completed", "adjustment.created", "adjustment.updated")


def secret_id_of(deps: ConsoleDeps) -> str:
    """Terraform's `<name>-paddle-webhook-secret`; the topic is `<name>-orders` (run.tf)."""
    topic = deps.settings.pubsub_topic
    name = topic.removesuffix("-orders") if topic != "orders" else "exlibris"
    return f"{name}-paddle-webhook-secret"


def run_connect(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    url = _destination(args.url)
    api = deps.paddle()
    try:
        existing = next(
            (s for s in api.list("/notification-settings") if _delivers_to(s, url)), None
        )
        if existing is not None:
            _report_existing(deps, existing)
            return 0
        created = api.create("/notification-settings", _new_destination(url, args.description))
    except MerchantApiError as exc:
        raise ConsoleError(str(exc)) from None
    secret = created.get("endpoint_secret_key")
    if not isinstance(secret, str) or not secret:
        raise ConsoleError("Paddle created the destination but returned no endpoint_secret_key")
    deps.out.print(f"created {created.get('id')} → {url} for {', '.join(EVENTS)}")
    where = deps.secrets().add(args.secret_id or secret_id_of(deps), secret)
    deps.out.print(f"webhook secret kept in {where}", markup=False)
    if not deps.settings.embedded:
        deps.out.print("the service reads it when a new revision starts: deploy to switch now")
    return 0


def _destination(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or not parts.path.endswith("/webhooks/paddle"):
        raise ConsoleError("--url: the service's https URL ending in /webhooks/paddle")
    return url.strip()


def _delivers_to(setting: dict[str, Any], url: str) -> bool:
    return setting.get("type") == "url" and setting.get("destination") == url


def _new_destination(url: str, description: str) -> dict[str, Any]:
    return {
        "description": description[:500],
        "type": "url",
        "destination": url,
        "subscribed_events": list(EVENTS),
        "api_version": 1,
        "include_sensitive_fields": False,
        "traffic_source": "platform",
    }


def _report_existing(deps: ConsoleDeps, setting: dict[str, Any]) -> None:
    events = {
        e.get("name") if isinstance(e, dict) else e for e in setting.get("subscribed_events") or []
    }
    deps.out.print(
        f"already connected: {setting.get('id')} → {setting.get('destination')}; nothing changed"
    )
    missing = [e for e in EVENTS if e not in events]
    if missing:
        deps.out.print(
            f"note: it does not send {', '.join(missing)}; add them in Paddle's dashboard"
        )
    if setting.get("active") is False:
        deps.out.print("note: it is inactive; activate it in Paddle's dashboard")


def run_products(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    params = {"include": "prices", "per_page": "200", "status": "active"}
    try:
        products = list(deps.paddle().list("/products", params))
    except MerchantApiError as exc:
        raise ConsoleError(str(exc)) from None
    if not products:
        deps.out.print("# Paddle has no active products yet")
        return 0
    known = {pid for p in deps.catalog().products for pid in p.paddle_ids} if args.new else set()
    slugs: set[str] = set()
    entries = [catalog_entry(p, slugs) for p in products if p.get("id") not in known]
    deps.out.file.write("\n".join(entries))
    deps.out.file.flush()
    return 0


def catalog_entry(product: dict[str, Any], taken: set[str]) -> str:
    """A [products.<slug>] table for catalog.toml (TOML basic strings are JSON strings)."""
    name = str(product.get("name") or product.get("id"))
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"
    if slug in taken:  # two products of one name: a table may appear only once
        slug = f"{slug}-{re.sub(r'[^a-z0-9]+', '-', str(product.get('id')).lower())}"
    taken.add(slug)
    prices = [p for p in product.get("prices") or [] if p.get("status", "active") == "active"]
    ids = [str(product.get("id")), *(str(p.get("id")) for p in prices)]
    lines = [f"[products.{slug}]"]
    for price in prices:
        lines.append(f"# {price.get('id')}: {_price_text(price)}")
    lines += [
        f"paddle_ids = [{', '.join(json.dumps(i) for i in ids)}]",
        f"title = {json.dumps(name, ensure_ascii=False)}",
        "files = [",
        f"  {{ source = {json.dumps(slug + '.pdf')}, stamp = true, skip_pages = 1 }},",
        "]",
        "",
    ]
    return "\n".join(lines)


def _price_text(price: dict[str, Any]) -> str:
    unit = price.get("unit_price") or {}
    amount, currency = unit.get("amount"), unit.get("currency_code")
    money = f"{amount} {currency} (minor units)" if amount and currency else ""
    text = " ".join(str(p) for p in (price.get("description"), money) if p)
    return re.sub(r"[\r\n]+", " ", text) or "price"
