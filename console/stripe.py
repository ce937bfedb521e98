"""`exlibris stripe connect --url URL` and `exlibris stripe products`: Stripe set up by API.

connect: lists the webhook endpoints (GET /v1/webhook_endpoints) and does
nothing when one already delivers to URL; otherwise creates it (POST
/v1/webhook_endpoints, docs.stripe.com/api/webhook_endpoints/create) for the
events exlibris handles, and keeps the signing secret Stripe returns (`secret`,
whsec_…, shown on creation only) as console/storefront.py does.
products: prints a catalog entry per active product with its active prices
(GET /v1/products?active=true, GET /v1/prices?active=true) to paste into
catalog.toml. Both need STRIPE_API_KEY (a restricted key with Webhook Endpoints
write and Products and Prices read) and STRIPE_API_URL.
"""

from __future__ import annotations

import argparse
from typing import Any

from console import storefront
from console.deps import ConsoleDeps
from console.errors import ConsoleError

EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
)


def run_stripe_connect(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    url = storefront.webhook_url(args.url, "stripe")
    api = deps.stripe()
    existing = next((e for e in api.list("/v1/webhook_endpoints") if e.get("url") == url), None)
    if existing is not None:
        _report_existing(deps, existing)
        return 0
    form = [("url", url), ("description", args.description[:500])]
    form += [("enabled_events[]", event) for event in EVENTS]
    created = api.create("/v1/webhook_endpoints", form)
    secret = created.get("secret")
    if not isinstance(secret, str) or not secret.startswith("whsec_"):
        raise ConsoleError("Stripe created the endpoint but returned no signing secret")
    deps.out.print(f"created {created.get('id')} → {url} for {', '.join(EVENTS)}")
    return storefront.keep_secret(deps, args, "stripe", secret)


def _report_existing(deps: ConsoleDeps, endpoint: dict[str, Any]) -> None:
    events = set(endpoint.get("enabled_events") or [])
    missing = [] if "*" in events else [e for e in EVENTS if e not in events]
    storefront.report_existing(
        deps, endpoint.get("id"), endpoint.get("url"), missing, "Stripe's Dashboard"
    )
    if endpoint.get("status") == "disabled":
        deps.out.print("note: it is disabled; enable it in Stripe's Dashboard")
    deps.out.print("its signing secret is shown in the Dashboard only (Webhooks > the endpoint)")


def run_stripe_products(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    api = deps.stripe()
    products = list(api.list("/v1/products", {"active": "true"}))
    prices = list(api.list("/v1/prices", {"active": "true"}))
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
            notes = [(p.get("id"), _price_text(p)) for p in own]
            entries.append(storefront.catalog_entry(product, slugs, "ids", ids, notes))
    return storefront.print_entries(deps, entries)


def _id_of(value: object) -> object:
    return value.get("id") if isinstance(value, dict) else value


def _price_text(price: dict[str, Any]) -> str:
    amount, currency = price.get("unit_amount"), price.get("currency")
    money = f"{amount} {currency} (minor units)" if amount is not None and currency else ""
    return storefront.price_text(price.get("nickname"), money, price.get("type"))
