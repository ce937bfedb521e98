"""Messages of money going back, or coming back: a whole order revoked, some items
refunded, a chargeback reversed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from common.messages._fields import VERSION, check_ids, id_tuple


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
