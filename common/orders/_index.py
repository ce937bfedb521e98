"""Indexes of the order records: find an email's, a product's or a period's orders by listing.

Listing by product, email or date must not read every record, so the worker
writes one small object per order and key, create-only, right after it
creates the record (common/orders.py), and a query lists a prefix:

    customers/<sha256 of the lower-cased email>/<order id>   the buyer's orders
    index/products/<catalog slug>/<order id>                  a product's orders
    index/created/<YYYY-MM-DD>/<order id>                     orders created that day (UTC)
    index/payments/<merchant>/<payment ref>                   the order a payment paid for
    index/checkouts/<checkout ref>                            the order a checkout returned to

The payment index is the other way round: its name holds the merchant's payment
id (Stripe's payment_intent) and its body the order id, because Stripe's refunds
and disputes name the payment, not the Checkout Session our order is named after.
The worker writes it, create-only, just before it creates the record. The checkout
index is written the same way and read by /thanks?ref=…: its name is the reference the
checkout put in the buyer's success URL (Stripe's Checkout Session id, or the exlibris_ref
a shop page generated), its body the order id. It has no merchant in its name because the
page is given the reference alone; a reference is 16+ random characters, so two stores
never share one, and create-only means the first order to claim one keeps it.

Each body is the order id. A day's folder holds at most that day's orders,
and a period is listed month by month (`index/created/2026-05` is one prefix),
so `--since` costs one listing per month, not one per order. Records written
before these indexes existed appear only in listings without a filter, which
read `orders/` itself. Refund stubs (a refund before the purchase) have no
indexes: there is nothing to find them by.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from common.orders._record import OrderRecord
from common.orders._store import customer_prefix
from common.storage import PreconditionFailed, Storage

PRODUCTS = "index/products/"
CREATED = "index/created/"
PAYMENTS = "index/payments/"
CHECKOUTS = "index/checkouts/"
RECORDS = "orders/"


def product_prefix(slug: str) -> str:
    return f"{PRODUCTS}{slug}/"


def payment_index_name(merchant: str, payment_ref: str) -> str:
    """Where the order a merchant's payment paid for is named (its body is the order id)."""
    return f"{PAYMENTS}{merchant}/{payment_ref}"


def checkout_index_name(checkout_ref: str) -> str:
    """Where the order a checkout reference returned to is named (its body is the order id)."""
    return f"{CHECKOUTS}{checkout_ref}"


def index_names(record: OrderRecord) -> list[str]:
    """Every index object that names this order."""
    # Every address the order ever had: after `resend --to` the corrected one too, and the
    # old entry stays, so `orders --email` finds the order by either. /links lists the old
    # address's entry but mails only record.mail_to (worker/use_cases/_resend.py).
    names = [
        prefix + record.order_id for prefix in dict.fromkeys(map(customer_prefix, record.emails))
    ]
    names += [product_prefix(slug) + record.order_id for slug in record.products]
    if record.created_at[:10]:
        names.append(f"{CREATED}{record.created_at[:10]}/{record.order_id}")
    return names


def write_indexes(storage: Storage, bucket: str, record: OrderRecord) -> None:
    """Create the order's index objects; those that exist already stay as they are."""
    for name in index_names(record):
        with contextlib.suppress(PreconditionFailed):
            storage.write(bucket, name, record.order_id.encode(), if_generation_match=0)


@dataclass(frozen=True)
class OrderQuery:
    """Which orders to list; every filter given must hold (status is checked on the record)."""

    email: str | None = None
    product: str | None = None
    since: date | None = None


def find_order_ids(storage: Storage, bucket: str, query: OrderQuery, *, today: date) -> list[str]:
    """The ids the indexes give for the query (every order id without a filter), sorted."""
    found: set[str] | None = None
    if query.email is not None:
        found = _ids_under(storage, bucket, customer_prefix(query.email))
    if query.product is not None:
        found = _narrowed(found, _ids_under(storage, bucket, product_prefix(query.product)))
    if query.since is not None:
        found = _narrowed(found, _created_since(storage, bucket, query.since, today))
    if found is None:
        names = storage.list(bucket, RECORDS)
        return sorted(n.removeprefix(RECORDS).removesuffix(".json") for n in names)
    return sorted(found)


def _ids_under(storage: Storage, bucket: str, prefix: str) -> set[str]:
    return {name.removeprefix(prefix) for name in storage.list(bucket, prefix)}


def _narrowed(found: set[str] | None, more: set[str]) -> set[str]:
    return more if found is None else found & more


def _created_since(storage: Storage, bucket: str, since: date, today: date) -> set[str]:
    ids: set[str] = set()
    for month in _months(since, today):
        for name in storage.list(bucket, f"{CREATED}{month}"):
            day, _, order_id = name.removeprefix(CREATED).partition("/")
            if day >= since.isoformat():
                ids.add(order_id)
    return ids


def _months(first: date, last: date) -> Iterable[str]:
    """'YYYY-MM' for every month from first's to last's, both included."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
