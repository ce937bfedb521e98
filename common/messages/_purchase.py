"""The message of a paid order: who bought (Buyer), which items (PaidItem), OrderPaid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from common.i18n import normalize
from common.messages._buyer_data import clean_name, clean_note, parse_email
from common.messages._fields import (
    VERSION,
    ContractError,
    check_ids,
    check_refs,
    checked,
    clean_checkout_ref,
    id_tuple,
)

GIFT = "gift"  # the merchant of a copy the author gives (`exlibris give`): no sale behind it


@dataclass(frozen=True)
class Buyer:
    """Who a copy is for; normalised here, so every adapter receives safe text."""

    name: str
    email: str

    def __post_init__(self) -> None:
        email = checked(parse_email, self.email)
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "name", checked(clean_name, self.name) or email)


@dataclass(frozen=True)
class PaidItem:
    """One line of a Billing transaction: the id refunds name it by, and what it sold."""

    item_id: str
    product_ids: tuple[str, ...]  # merchant-qualified, as the catalog lists them

    def __post_init__(self) -> None:
        check_ids(self, "item_id")
        object.__setattr__(self, "product_ids", qualified_ids(self.product_ids))


@dataclass(frozen=True)
class OrderPaid:
    """A purchase was paid: stamp and deliver the products bought."""

    TYPE: ClassVar[str] = "order.paid"
    order_id: str
    product_ids: tuple[str, ...]  # merchant-qualified: "paddle:pri_…", "stripe:price_…"
    event_id: str
    occurred_at: str
    merchant: str  # the catalog prefix of the merchant that sold it: "paddle", "stripe", …
    source: str = (
        ""  # the merchant's own kind of webhook, where it has several (Paddle's "classic")
    )
    # Classic carries the buyer; Billing leaves it to the worker (customer_id); a Classic
    # fulfilment webhook without the email fields carries neither and waits for its alert.
    buyer: Buyer | None = None
    customer_id: str | None = None  # Billing: resolve through the customer-lookup port
    items: tuple[PaidItem, ...] = ()  # Billing: so a refund of one item revokes its files only
    # Stripe's sale names no products: the worker lists the line items by this reference
    # (the Checkout Session id), and product_ids stays empty until it has.
    lookup_ref: str = ""
    # The payment later refunds and disputes name (Stripe's payment_intent), indexed by the worker.
    payment_ref: str = ""
    # What the checkout returned the buyer to /thanks with: Stripe's Checkout Session id, or
    # the exlibris_ref a shop page put in Paddle's or Lemon Squeezy's custom data. One that
    # is too short or not plain letters, digits, '_' and '-' is dropped, never refused.
    checkout_ref: str = ""
    # The buyer's language as the store knew it at checkout (common/i18n: "fr", "pt"), so
    # the mails and pages of the order speak it; "" when the store sent none we speak.
    language: str = ""
    version: int = VERSION
    # A gift's words from the author, shown in its mail (`exlibris give --note`); "" for sales.
    note: str = ""

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "event_id", "occurred_at", "merchant")
        check_refs(self, "lookup_ref", "payment_ref")
        object.__setattr__(self, "checkout_ref", clean_checkout_ref(self.checkout_ref))
        object.__setattr__(self, "language", normalize(self.language))
        if self.lookup_ref and isinstance(self.product_ids, list | tuple) and not self.product_ids:
            object.__setattr__(self, "product_ids", ())  # the worker looks them up
        else:
            object.__setattr__(self, "product_ids", qualified_ids(self.product_ids))
        if not isinstance(self.source, str):
            raise ContractError("source must be text")
        if self.buyer is not None and not isinstance(self.buyer, Buyer):
            raise ContractError("buyer must be a name and an email")
        if self.customer_id == "":
            object.__setattr__(self, "customer_id", None)
        elif self.customer_id is not None:
            check_ids(self, "customer_id")
        if not isinstance(self.note, str):
            raise ContractError("note must be text")
        object.__setattr__(self, "note", checked(clean_note, self.note))
        if self.note and self.merchant != GIFT:
            raise ContractError("only a gift carries a note")
        if not self.buyer and not self.customer_id and self.source != "classic":
            raise ContractError("order.paid names neither a buyer nor a customer id")
        if not all(isinstance(i, PaidItem) for i in self.items):
            raise ContractError("items must be paid items")
        object.__setattr__(self, "items", tuple(self.items))

    @property
    def idempotency_key(self) -> str:
        return f"paid:{self.order_id}"

    @property
    def paddle_ids(self) -> tuple[str, ...]:
        """The Paddle product and price ids among the products, as Paddle spells them."""
        return merchant_ids(self.product_ids, "paddle")


def qualified_ids(values: object) -> tuple[str, ...]:
    """A non-empty list of `merchant:id` product ids, each checked."""
    ids = id_tuple(values, "product_ids")
    if not all(":" in i and i.partition(":")[0] and i.partition(":")[2] for i in ids):
        raise ContractError("product_ids must be merchant:id")
    return ids


def merchant_ids(product_ids: tuple[str, ...], merchant: str) -> tuple[str, ...]:
    """The ids of one merchant among qualified ids, without the prefix."""
    prefix = f"{merchant}:"
    return tuple(i.removeprefix(prefix) for i in product_ids if i.startswith(prefix))
