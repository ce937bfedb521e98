"""Stamp again a copy the bucket's lifecycle rule deleted (or a restore left missing).

Terraform deletes stamped copies after `stamped_copy_days`, but links live for
LINK_TTL and re-sends mail fresh ones. So a download whose copy is gone
publishes CopyRequested (the service's download page then says "your copy is
being prepared" and refreshes), and a re-send makes the missing copies of its
order before mailing. Both come here: the copy is stamped from the current
original through worker/copies.stamp_copies, and the record notes it
(copies_remade) under a generation precondition. Idempotent: a copy that
exists is left alone, so redeliveries and concurrent requests make it once
(or twice, equal, if they race; the record keeps one history entry per win).
Revoked orders and refunded files get nothing, and a copy written while a
refund landed is deleted again.
"""

from __future__ import annotations

from common.messages import CopyRequested
from worker.deps import WorkerDeps
from worker.use_cases._upkeep import remake_missing


def restamp_copy(message: CopyRequested, deps: WorkerDeps) -> str:
    """Make the requested copy again if it is missing; return what happened."""
    return remake_missing(message.order_id, deps, (message.file_index,))
