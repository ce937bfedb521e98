"""Fulfil a paid order: advance it until it is mailed (_delivery.py holds the state machine)."""

from __future__ import annotations

from common.messages import OrderPaid
from worker.deps import WorkerDeps
from worker.use_cases._delivery import advance_order


def fulfil_order(message: OrderPaid, deps: WorkerDeps) -> str:
    """Advance the order until it is mailed (or found revoked); return the final status."""
    return advance_order(message.order_id, deps, message)
