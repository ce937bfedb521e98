"""What a mail provider said of our mails: a verified batch of SendGrid's Event Webhook.

Each event names the order and the mail (custom_args order_id and mail_kind, and the
provider's message id), the status it maps to (common/orders MailStatus) and the
provider's time of it, which is what orders events that arrive out of order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from common.messages._buyer_data import clean_id
from common.messages._fields import VERSION, ContractError, check_ids, checked
from common.orders import MailStatus

MAX_EVENTS = 5000  # a SendGrid batch is at most 768 KB: far fewer delivery events than this
_REASON_CHARS = 300


@dataclass(frozen=True)
class MailEvent:
    order_id: str
    mail_kind: str
    message_id: str  # SendGrid's sg_message_id: the X-Message-Id of the send, then a suffix
    event_id: str  # sg_event_id ("" when the provider gave none, like message_id)
    status: MailStatus
    timestamp: int  # epoch seconds, the provider's clock
    reason: str = ""

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "mail_kind")
        for name in ("message_id", "event_id"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise ContractError(f"{name} must be text")
            object.__setattr__(self, name, checked(clean_id, value, name) if value.strip() else "")
        try:
            object.__setattr__(self, "status", MailStatus(self.status))
        except ValueError:
            raise ContractError(f"unknown mail status {str(self.status)[:20]!r}") from None
        if type(self.timestamp) is not int or not 0 <= self.timestamp < 2**40:
            raise ContractError("timestamp must be epoch seconds")
        if not isinstance(self.reason, str):
            raise ContractError("reason must be text")
        reason = " ".join(self.reason.split())[:_REASON_CHARS]
        object.__setattr__(self, "reason", checked(clean_id, reason, "reason") if reason else "")


@dataclass(frozen=True)
class MailEventsReported:
    """A verified batch of the provider's events about our mails: update each mail's status."""

    TYPE: ClassVar[str] = "mail.events"
    events: tuple[MailEvent, ...]
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "occurred_at")
        if not isinstance(self.events, tuple) or not 0 < len(self.events) <= MAX_EVENTS:
            raise ContractError(f"events must be 1 to {MAX_EVENTS} mail events")
        if not all(isinstance(e, MailEvent) for e in self.events):
            raise ContractError("events must be mail events")

    @property
    def idempotency_key(self) -> str:
        ids = "\n".join(
            f"{e.event_id} {e.message_id} {e.status} {e.timestamp}" for e in self.events
        )
        return f"mail-events:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"


def mail_events_of(body: dict[str, Any]) -> tuple[MailEvent, ...]:
    """The events of a decoded mail.events body (JSON objects back into MailEvent)."""
    raw = body.get("events")
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ContractError("events must be a list of objects")
    return tuple(MailEvent(**e) for e in raw)
