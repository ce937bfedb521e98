"""Gift and review copies: a copy stamped and mailed like a sale, with no sale behind it.

`give_copy` is the one entry (the console's `exlibris give`, the dashboard's
gifts page): it checks the product and the reader, and publishes an
`order.paid` whose merchant is `gift` and whose product is `gift:<slug>`, so
the worker stamps, records, indexes and mails it as it does a sale, and
`orders`, `export`, `/verify` and `trace` show it as one.

Order ids: `gift-` and 24 hex digits (within the order-id alphabet). A single
gift gets a random one. A list of gifts (`give --csv`) gets ids derived from
the product, the reader's address and a run label, keyed by STAMP_SECRET
(gift_order_id), so running the same list again, or the list with rows added,
publishes the same ids for the readers already given: the worker's fulfilment
is idempotent by order id and mails each id once. The key keeps the id from
being recomputed from an address by anyone without the shop's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from common.catalog import Catalog, Product, gift_id
from common.codes import derive_key
from common.messages import (
    GIFT,
    NOTE_MAX,
    Buyer,
    ContractError,
    OrderPaid,
    now_iso,
)
from common.publish import Publisher

PREFIX = "gift-"
_ID_HEX = 24  # 96 bits: no two gifts of a shop share one


class GiftError(ValueError):
    """The gift cannot be given as asked; the message says why, for the author."""


def random_gift_id() -> str:
    return PREFIX + secrets.token_hex(_ID_HEX // 2)


def gift_order_id(secret: str, *, product: str, email: str, run: str = "") -> str:
    """The same id for the same product, address and run label, for a list given twice."""
    key = derive_key(secret, "gift-order-ids")
    text = "\0".join((run, product, email.lower())).encode()
    return PREFIX + hmac.new(key, text, hashlib.sha256).hexdigest()[:_ID_HEX]


def gift_product(catalog: Catalog, slug: str) -> Product:
    """The catalog product a gift names by its slug, or GiftError listing the slugs."""
    found = next((p for p in catalog.products if p.slug == slug), None)
    if found is None:
        known = ", ".join(p.slug for p in catalog.products)
        raise GiftError(f"no product {slug!r} in the catalog (it has: {known})")
    return found


def gift_message(
    catalog: Catalog, *, product: str, name: str, email: str, note: str, order_id: str
) -> OrderPaid:
    """The order.paid that gives one copy; GiftError for a product, reader or note refused."""
    slug = gift_product(catalog, product).slug
    if len(note) > NOTE_MAX:
        raise GiftError(f"the note has {len(note)} characters; at most {NOTE_MAX} fit a mail")
    if not name.strip():
        raise GiftError("a name is required: it is stamped in the copy")
    try:
        return OrderPaid(
            order_id=order_id,
            product_ids=(gift_id(slug),),
            event_id=f"gift-{uuid.uuid4().hex}",
            occurred_at=now_iso(),
            merchant=GIFT,
            buyer=Buyer(name, email),
            note=note,
        )
    except ContractError as exc:
        raise GiftError(str(exc)) from None


def give_copy(
    publisher: Publisher,
    catalog: Catalog,
    *,
    product: str,
    name: str,
    email: str,
    note: str = "",
    order_id: str = "",
) -> str:
    """Publish one gift for the worker to stamp and mail; its order id."""
    message = gift_message(
        catalog,
        product=product,
        name=name,
        email=email,
        note=note,
        order_id=order_id or random_gift_id(),
    )
    publisher.publish(message)
    return message.order_id
