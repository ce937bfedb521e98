"""`exlibris stripe connect --url URL` and `exlibris stripe products`: Stripe set up by API.

connect: lists the webhook endpoints (GET /v1/webhook_endpoints) and does
nothing when one already delivers to URL; otherwise creates it (POST
/v1/webhook_endpoints, docs.stripe.com/api/webhook_endpoints/create) for the
events exlibris handles, and keeps the signing secret Stripe returns (`secret`,
whsec_…, shown on creation only) with console/secret_store.py.
products: prints a catalog entry per active product with its active prices
(GET /v1/products?active=true, GET /v1/prices?active=true) to paste into
catalog.toml. Both need STRIPE_API_KEY (a restricted key with Webhook Endpoints
write and Products and Prices read) and STRIPE_API_URL.
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

EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
)


def secret_id_of(deps: ConsoleDeps) -> str:
    """`<name>-stripe-webhook-secret`, named like terraform's other secrets (<name>-orders)."""
    topic = deps.settings.pubsub_topic
    name = topic.removesuffix("-orders") if topic != "orders" else "exlibris"
    return f"{name}-stripe-webhook-secret"


def run_stripe_connect(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    url = _destination(args.url)
    api = deps.stripe()
    try:
        existing = next((e for e in api.list("/v1/webhook_endpoints") if e.get("url") == url), None)
        if existing is not None:
            _report_existing(deps, existing)
            return 0
        form = [("url", url), ("description", args.description[:500])]
        form += [("enabled_events[]", event) for event in EVENTS]
        created = api.create("/v1/webhook_endpoints", form)
    except MerchantApiError as exc:
        raise ConsoleError(str(exc)) from None
    secret = created.get("secret")
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise ConsoleError("Stripe created the endpoint but returned no signing secret")
    deps.out.print(f"created {created.get('id')} → {url} for {', '.join(EVENTS)}")
    where = deps.secrets().add(args.secret_id or secret_id_of(deps), secret)
    deps.out.print(f"webhook secret kept in {where}", markup=False)
    if not deps.settings.embedded:
        deps.out.print("the service reads it when a new revision starts: deploy to switch now")
    return 0


def _destination(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or not parts.path.endswith("/webhooks/stripe"):
        raise ConsoleError("--url: the service's https URL ending in /webhooks/stripe")
    return url.strip()


def _report_existing(deps: ConsoleDeps, endpoint: dict[str, Any]) -> None:
    events = set(endpoint.get("enabled_events") or [])
    deps.out.print(
        f"already connected: {endpoint.get('id')} → {endpoint.get('url')}; nothing changed"
    )
    missing = [] if "*" in events else [e for e in EVENTS if e not in events]
    if missing:
        deps.out.print(
            f"note: it does not send {', '.join(missing)}; add them in Stripe's Dashboard"
        )
    if endpoint.get("status") == "disabled":
        deps.out.print("note: it is disabled; enable it in Stripe's Dashboard")
    deps.out.print("its signing secret is shown in the Dashboard only (Webhooks > the endpoint)")


def run_stripe_products(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    api = deps.stripe()
    try:
        products = list(api.list("/v1/products", {"active": "true"}))
        prices = list(api.list("/v1/prices", {"active": "true"}))
    except MerchantApiError as exc:
        raise ConsoleError(str(exc)) from None
    if not products:
        deps.out.print("# Stripe has no active products yet")
        return 0
    known = {i for p in deps.catalog().products for i in p.ids} if args.new else set()
    slugs: set[str] = set()
    entries = []
    for product in products:
        own = [p for p in prices if _id_of(p.get("product")) == product.get("id")]
        ids = [f"stripe:{i}" for i in (product.get("id"), *(p.get("id") for p in own))]
        if not known.intersection(ids):
            entries.append(catalog_entry(product, own, ids, slugs))
    deps.out.file.write("\n".join(entries))
    deps.out.file.flush()
    return 0


def catalog_entry(
    product: dict[str, Any], prices: list[dict[str, Any]], ids: list[str], taken: set[str]
) -> str:
    """A [products.<slug>] table for catalog.toml (TOML basic strings are JSON strings)."""
    name = str(product.get("name") or product.get("id"))
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"
    if slug in taken:  # two products of one name: a table may appear only once
        slug = f"{slug}-{re.sub(r'[^a-z0-9]+', '-', str(product.get('id')).lower())}"
    taken.add(slug)
    lines = [f"[products.{slug}]"]
    lines += [f"# {p.get('id')}: {_price_text(p)}" for p in prices]
    lines += [
        f"ids = [{', '.join(json.dumps(i) for i in ids)}]",
        f"title = {json.dumps(name, ensure_ascii=False)}",
        "files = [",
        f"  {{ source = {json.dumps(slug + '.pdf')}, stamp = true, skip_pages = 1 }},",
        "]",
        "",
    ]
    return "\n".join(lines)


def _id_of(value: object) -> object:
    return value.get("id") if isinstance(value, dict) else value


def _price_text(price: dict[str, Any]) -> str:
    amount, currency = price.get("unit_amount"), price.get("currency")
    money = f"{amount} {currency} (minor units)" if amount is not None and currency else ""
    text = " ".join(str(p) for p in (price.get("nickname"), money, price.get("type")) if p)
    return re.sub(r"[\r\n]+", " ", text) or "price"
