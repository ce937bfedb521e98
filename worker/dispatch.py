"""Message dispatch: which use case handles which message type.

The push route decodes a message and asks `handle`; adding a message type
means adding its handler to HANDLERS, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.contract import (
    CopyRequested,
    ItemsRefunded,
    LinksRequested,
    Message,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
)
from worker.deps import WorkerDeps
from worker.fulfil import fulfil_order
from worker.resend import resend_links
from worker.restamp import restamp_copy
from worker.restore import restore_order
from worker.revoke import revoke_items, revoke_order

Handler = Callable[[Any, WorkerDeps], str]

HANDLERS: dict[type, Handler] = {
    OrderPaid: fulfil_order,
    OrderRevoked: revoke_order,
    ItemsRefunded: revoke_items,
    OrderRestored: restore_order,
    CopyRequested: restamp_copy,
    LinksRequested: resend_links,
}


def handle(message: Message, deps: WorkerDeps) -> str:
    """Run the use case for one message and return its outcome."""
    handler = HANDLERS.get(type(message))
    if handler is None:
        raise TypeError(f"no handler for {type(message).__name__}")
    return handler(message, deps)
