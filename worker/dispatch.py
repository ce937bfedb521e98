"""Message dispatch: which use case handles which message type.

The push route decodes a message and asks `handle`; adding a message type
means adding its handler to HANDLERS, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.messages import (
    CopyRequested,
    EditionReissued,
    ErasureRequested,
    ItemsRefunded,
    KindleRequested,
    LinksRequested,
    MailEventsReported,
    Message,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaymentRestored,
    PaymentRevoked,
    ResendRequested,
)
from worker.deps import WorkerDeps
from worker.use_cases import (
    erase_buyer,
    fulfil_order,
    record_mail_events,
    reissue_order,
    resend_links,
    resend_order,
    restamp_copy,
    restore_order,
    restore_payment,
    revoke_items,
    revoke_order,
    revoke_payment,
    send_to_kindle,
)

Handler = Callable[[Any, WorkerDeps], str]

HANDLERS: dict[type, Handler] = {
    OrderPaid: fulfil_order,
    OrderRevoked: revoke_order,
    ItemsRefunded: revoke_items,
    OrderRestored: restore_order,
    CopyRequested: restamp_copy,
    LinksRequested: resend_links,
    ResendRequested: resend_order,
    EditionReissued: reissue_order,
    PaymentRevoked: revoke_payment,
    PaymentRestored: restore_payment,
    MailEventsReported: record_mail_events,
    ErasureRequested: erase_buyer,
    KindleRequested: send_to_kindle,
}


def handle(message: Message, deps: WorkerDeps) -> str:
    """Run the use case for one message and return its outcome."""
    handler = HANDLERS.get(type(message))
    if handler is None:
        raise TypeError(f"no handler for {type(message).__name__}")
    return handler(message, deps)
