"""`exlibris lemonsqueezy connect --url URL --store ID` and `… products`: set-up by API.

connect: reads the key's mode (GET /v1/users/me, `meta.test_mode`; a test-mode
key sees and makes test-mode data only, docs.lemonsqueezy.com/api/getting-started)
and the store (GET /v1/stores/:id), lists the store's webhooks (GET /v1/webhooks
with filter[store_id]) and does nothing when one already delivers to URL.
Otherwise it makes a signing secret, keeps it (console/secret_store.py: Secret
Manager, or printed on the embedded stack) and only then creates the webhook
(POST /v1/webhooks, …/api/webhooks/create-webhook) for the two events exlibris
handles, in the key's mode. Unlike Stripe and Paddle, Lemon Squeezy takes the
secret from us and never shows it again (…/api/webhooks: "The secret is never
returned in the API"), so keeping it first means no webhook is ever made with a
secret nobody holds.
products: prints a catalog entry per published product with its sellable
variants' ids (GET /v1/products, GET /v1/variants), to paste into catalog.toml.
Both need LEMONSQUEEZY_API_KEY and LEMONSQUEEZY_API_URL.
"""

from __future__ import annotations

import argparse
import re
import secrets
from typing import Any

from console import storefront
from console.deps import ConsoleDeps
from console.errors import ConsoleError
from console.lemonsqueezy_api import LemonSqueezyApi, LemonSqueezyApiError

MERCHANT = "lemonsqueezy"
EVENTS = ("order_created", "order_refunded")  # a sale, and a refund (help/webhooks/event-types)
# help/webhooks: the signing secret is "between 6 and 40 characters"; 30 random bytes
# are exactly 40 URL-safe characters, none of them the comma that separates a rotation.
SECRET_BYTES = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # not allowed in a TOML comment (toml.io, Comment)


def run_lemonsqueezy_connect(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    url = storefront.webhook_url(args.url, MERCHANT)
    api = deps.lemonsqueezy()
    meta = api.get("/v1/users/me").get("meta")
    test_mode = isinstance(meta, dict) and meta.get("test_mode") is True
    store = _store(api, args.store)
    webhooks = api.list("/v1/webhooks", {"filter[store_id]": args.store})
    existing = next((w for w in webhooks if _attributes(w).get("url") == url), None)
    if existing is not None:
        _report_existing(deps, existing)
        return 0
    secret = secrets.token_urlsafe(SECRET_BYTES)
    storefront.keep_secret(deps, args, MERCHANT, secret)
    attributes: dict[str, Any] = {"url": url, "events": list(EVENTS), "secret": secret}
    if test_mode:
        attributes["test_mode"] = True
    relationships = {"store": {"data": {"type": "stores", "id": args.store}}}
    try:
        created = api.create("webhooks", attributes, relationships)
    except LemonSqueezyApiError as exc:
        raise ConsoleError(f"{exc}; no webhook was made: run connect again once fixed") from None
    mode = "test mode" if test_mode else "live mode"
    deps.out.print(
        f"created webhook {created.get('id')} ({mode}) in {store} → {url} for {', '.join(EVENTS)}",
        markup=False,
    )
    return 0


def _store(api: LemonSqueezyApi, store_id: str) -> str:
    """The store's name and id, as the dashboard shows them; a ConsoleError if the key has none."""
    try:
        store = api.get(f"/v1/stores/{store_id}").get("data") or {}
    except LemonSqueezyApiError as exc:
        if exc.status == 404:
            raise ConsoleError(
                f"--store {store_id}: no such store for this API key (Settings > Stores shows "
                "the id)"
            ) from None
        raise
    name = _one_line(_attributes(store).get("name") or "")
    return f"store {name} (#{store_id})" if name else f"store #{store_id}"


def _report_existing(deps: ConsoleDeps, webhook: dict[str, Any]) -> None:
    attributes = _attributes(webhook)
    events = attributes.get("events")
    sent = set(events) if isinstance(events, list) else set()
    missing = [e for e in EVENTS if e not in sent]
    found = f"webhook {webhook.get('id')}"
    dashboard = "Lemon Squeezy's Settings > Webhooks"
    storefront.report_existing(deps, found, attributes.get("url"), missing, dashboard)
    deps.out.print("its signing secret is shown there only (the API never returns it)")


def run_lemonsqueezy_products(args: argparse.Namespace, deps: ConsoleDeps) -> int:
    api = deps.lemonsqueezy()
    products = [p for p in api.list("/v1/products") if _attributes(p).get("status") == "published"]
    variants = list(api.list("/v1/variants"))
    if not products:
        deps.out.print("# Lemon Squeezy has no published products yet")
        return 0
    known = {i for p in deps.catalog().products for i in p.ids} if args.new else set()
    slugs: set[str] = set()
    entries = []
    for product in products:
        name = _one_line(_attributes(product).get("name") or product.get("id"))
        own = _sellable(variants, product.get("id"))
        ids = [f"{MERCHANT}:{v.get('id')}" for v in own]
        if not ids:
            entries.append(f"# {name} (product {product.get('id')}): no variant on sale yet\n")
        elif not known.intersection(ids):
            notes = [(v.get("id"), _variant_text(v)) for v in own]
            entry = {"id": product.get("id"), "name": name}
            entries.append(storefront.catalog_entry(entry, slugs, "ids", ids, notes))
    return storefront.print_entries(deps, entries)


def _sellable(variants: list[dict[str, Any]], product_id: object) -> list[dict[str, Any]]:
    """The variants a buyer can pick: published ones, else the product's default one.

    A product always has a variant; while it has only one, that one is its "default"
    variant with status `pending` (…/api/variants, the variant object). Drafts are not sold.
    """
    own = [v for v in variants if str(_attributes(v).get("product_id")) == str(product_id)]
    published = [v for v in own if _attributes(v).get("status") == "published"]
    return published or [v for v in own if _attributes(v).get("status") == "pending"]


def _variant_text(variant: dict[str, Any]) -> str:
    attributes = _attributes(variant)
    price = attributes.get("price")  # in cents (…/api/variants): the store's minor units
    money = f"{price} (minor units)" if isinstance(price, int) else ""
    kind = "subscription" if attributes.get("is_subscription") is True else ""
    return storefront.price_text(_one_line(attributes.get("name") or ""), money, kind)


def _attributes(resource: dict[str, Any]) -> dict[str, Any]:
    attributes = resource.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def _one_line(value: object) -> str:
    """The text on one line, without the control characters a TOML comment may not hold."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())
