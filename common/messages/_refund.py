"""Messages of money going back, or coming back: a whole order revoked, some items
refunded, a chargeback reversed; and the same for a merchant whose refunds and disputes
name a payment rather than our order (Stripe's payment_intent), which the worker maps to
the order through index/payments/<merchant>/<payment ref>."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from common.messages._fields import (
    VERSION,
    ContractError,
    check_ids,
    check_refs,
    clean_ref,
    id_tuple,
)


@dataclass(frozen=True)
class OrderRevoked:
    """A refund or chargeback of the whole order: delete the copies and refuse the links."""

    TYPE: ClassVar[str] = "order.revoked"
    order_id: str
    event_id: str
    occurred_at: str
    reason: str
    revoked_by: str = "paddle"  # who took it back: Paddle (refund, chargeback) or the author
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "event_id", "occurred_at", "reason")

    @property
    def idempotency_key(self) -> str:
        return f"revoked:{self.order_id}"


@dataclass(frozen=True)
class ItemsRefunded:
    """Some items of an order were refunded in full: revoke their files, keep the rest."""

    TYPE: ClassVar[str] = "items.refunded"
    order_id: str
    item_ids: tuple[str, ...]
    event_id: str
    occurred_at: str
    reason: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "event_id", "occurred_at", "reason")
        object.__setattr__(self, "item_ids", id_tuple(self.item_ids, "item_ids"))

    @property
    def idempotency_key(self) -> str:
        return f"refunded:{self.order_id}:{self.event_id}"


@dataclass(frozen=True)
class OrderRestored:
    """A chargeback was reversed (the dispute was won): the buyer may download again."""

    TYPE: ClassVar[str] = "order.restored"
    order_id: str
    event_id: str
    occurred_at: str
    reason: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "event_id", "occurred_at", "reason")

    @property
    def idempotency_key(self) -> str:
        return f"restored:{self.order_id}:{self.event_id}"


@dataclass(frozen=True)
class PaymentRevoked:
    """A payment was refunded in full or disputed: revoke the order it paid for."""

    TYPE: ClassVar[str] = "payment.revoked"
    merchant: str  # the catalog prefix: "stripe"
    payment_ref: str  # the merchant's payment id: Stripe's payment_intent (pi_…)
    event_id: str
    occurred_at: str
    reason: str  # "refund" or "chargeback" (a chargeback may be restored)
    version: int = VERSION

    def __post_init__(self) -> None:
        _check_payment(self)

    @property
    def idempotency_key(self) -> str:
        return f"payment-revoked:{self.merchant}:{self.payment_ref}"


@dataclass(frozen=True)
class PaymentRestored:
    """A dispute over a payment was won: restore the order it paid for."""

    TYPE: ClassVar[str] = "payment.restored"
    merchant: str
    payment_ref: str
    event_id: str
    occurred_at: str
    reason: str
    version: int = VERSION

    def __post_init__(self) -> None:
        _check_payment(self)

    @property
    def idempotency_key(self) -> str:
        return f"payment-restored:{self.merchant}:{self.payment_ref}:{self.event_id}"


def _check_payment(message: PaymentRevoked | PaymentRestored) -> None:
    check_ids(message, "merchant", "event_id", "occurred_at", "reason")
    object.__setattr__(message, "merchant", clean_ref(message.merchant, "merchant"))
    check_refs(message, "payment_ref")
    if not message.payment_ref:
        raise ContractError("payment_ref is required")
