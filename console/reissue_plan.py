"""Who a re-issue would mail: the product's orders that are entitled and lack this edition.

The edition is named from the current generations of the product's originals
(common/reissues.py). An order is left out when it is revoked, not yet
delivered (its delivery stamps the current original), already done for this
edition (an earlier or interrupted run), or made from these generations
already (bought after the upload). The worker checks the same again when it
handles each order, so a plan that ages a little is still safe. Reads only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from common.catalog import Product
from common.orders import OrderRecord, Status, edition_name, product_prefix
from common.storage import NotFound
from console.deps import ConsoleDeps
from console.errors import ConsoleError
from console.listing import imprint_of, load_orders


@dataclass(frozen=True)
class ReissuePlan:
    product: Product
    edition: str
    generations: dict[str, int]
    to_mail: list[OrderRecord]
    skipped: Counter[str] = field(default_factory=Counter)


def find_product(deps: ConsoleDeps, slug: str) -> Product:
    products = deps.catalog().products
    found = next((p for p in products if p.slug == slug), None)
    if found is None:
        known = ", ".join(p.slug for p in products)
        raise ConsoleError(f"no product {slug!r} in the catalog (it has: {known})")
    return found


def current_generations(deps: ConsoleDeps, product: Product) -> dict[str, int]:
    bucket = deps.settings.source_bucket
    generations = {}
    for spec in product.files:
        try:
            generations[spec.source] = deps.storage.generation(bucket, spec.source)
        except NotFound:
            raise ConsoleError(f"original {bucket}/{spec.source} is missing; upload it") from None
    return generations


def plan_reissue(
    deps: ConsoleDeps, slug: str, only: list[str] | None, imprint: str | None = None
) -> ReissuePlan:
    """Who to mail; with `imprint`, only the orders sold under it (the rest are left out)."""
    product = find_product(deps, slug)
    generations = current_generations(deps, product)
    edition = edition_name(generations)
    prefix = product_prefix(slug)
    ids = [name.removeprefix(prefix) for name in deps.orders.list(prefix)]
    if only:
        strangers = sorted(set(only) - set(ids))
        if strangers:
            raise ConsoleError(f"not orders of {slug}: {', '.join(strangers)}")
        ids = [i for i in ids if i in set(only)]
    done = deps.orders.read_progress(slug, edition, request_id="").done
    skipped: Counter[str] = Counter()
    to_mail = []
    for record, _ in load_orders(deps, [i for i in ids if i not in done]):
        reason = _left_out(record, generations)
        if not reason and imprint is not None and imprint_of(deps, record) != imprint:
            reason = "under another imprint"
        if reason:
            skipped[reason] += 1
        else:
            to_mail.append(record)
    skipped["done already"] += len(set(ids) & done)
    return ReissuePlan(product, edition, generations, to_mail, +skipped)


def _left_out(record: OrderRecord, generations: dict[str, int]) -> str:
    if record.status == Status.REVOKED:
        return "revoked"
    if record.status == Status.RECEIVED:
        return "not delivered yet"
    if not record.files_of(set(generations)):
        return "no files of this product"
    if record.copies_current(generations):
        return "has this edition"
    return ""
