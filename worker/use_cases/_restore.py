"""Restore an order a chargeback revoked, once the chargeback is reversed (the dispute was won).

Billing's approved `chargeback_reverse` and Classic's `payment_dispute_closed`
become OrderRestored; _revocation.py's `restore` says what is taken back and
where the order goes from there.
"""

from __future__ import annotations

from common.messages import OrderRestored
from worker.deps import WorkerDeps
from worker.use_cases._revocation import restore


def restore_order(message: OrderRestored, deps: WorkerDeps) -> str:
    """Take a chargeback's revocation back; return the order's status."""
    return restore(message.order_id, deps, reason=message.reason, event_id=message.event_id)
