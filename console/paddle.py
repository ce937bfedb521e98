"""`exlibris paddle connect --url URL` and `exlibris paddle products`: Paddle set up by API.

connect: lists the notification destinations (GET /notification-settings)
and does nothing when one already delivers to URL; otherwise creates it
(POST /notification-settings) for the events exlibris handles, real traffic
only, API version 1, and keeps the secret Paddle returns (console/storefront.py).
products: prints a catalog entry per active product (GET /products with
include=prices; archived prices are left out, since include returns them all)
to paste into catalog.toml. Both need PADDLE_API_KEY (with
notification_setting.read/write, product.read) and PADDLE_API_URL.
"""

from __future__ import annotations

import argparse
from typing import Any

from console import storefront
from console.deps import ConsoleDeps
from console.errors import ConsoleError

EVENTS = ("transaction.completed", "adjustment.created", "adjustment.updated")


def run_connect(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    url = storefront.webhook_url(args.url, "paddle")
    api = deps.paddle()
    existing = next((s for s in api.list("/notification-settings") if _delivers_to(s, url)), None)
    if existing is not None:
        _report_existing(deps, existing)
        return 0
    created = api.create("/notification-settings", _new_destination(url, args.description))
    secret = created.get("endpoint_secret_key")
    if not isinstance(secret, str) or not secret:
        raise ConsoleError("Paddle created the destination but returned no endpoint_secret_key")
    deps.out.print(f"created {created.get('id')} → {url} for {', '.join(EVENTS)}")
    return storefront.keep_secret(deps, args, "paddle", secret)


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
    missing = [e for e in EVENTS if e not in events]
    found, url = setting.get("id"), setting.get("destination")
    storefront.report_existing(deps, found, url, missing, "Paddle's dashboard")
    if setting.get("active") is False:
        deps.out.print("note: it is inactive; activate it in Paddle's dashboard")


def run_products(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    params = {"include": "prices", "per_page": "200", "status": "active"}
    products = list(deps.paddle().list("/products", params))
    if not products:
        deps.out.print("# Paddle has no active products yet")
        return 0
    known = {pid for p in deps.catalog().products for pid in p.paddle_ids} if args.new else set()
    slugs: set[str] = set()
    entries = [_entry(p, slugs) for p in products if p.get("id") not in known]
    return storefront.print_entries(deps, entries)


def _entry(product: dict[str, Any], taken: set[str]) -> str:
    """The product's table with its active prices (include=prices returns archived ones too)."""
    prices = [p for p in product.get("prices") or [] if p.get("status", "active") == "active"]
    ids = [str(product.get("id")), *(str(p.get("id")) for p in prices)]
    notes = [(p.get("id"), _price_text(p)) for p in prices]
    return storefront.catalog_entry(product, taken, "paddle_ids", ids, notes)


def _price_text(price: dict[str, Any]) -> str:
    unit = price.get("unit_price") or {}
    amount, currency = unit.get("amount"), unit.get("currency_code")
    money = f"{amount} {currency} (minor units)" if amount and currency else ""
    return storefront.price_text(price.get("description"), money)
