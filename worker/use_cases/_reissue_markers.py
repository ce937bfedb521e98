"""One order's re-issue markers (layout in common/reissues.py), as the worker handles them.

done/ is create-only, so the first delivery to finish decides the outcome and
no later one mails again. A claim is held for MAIL_CLAIM_SECONDS (settings), like
fulfilment's mail claim: fresh, it makes a concurrent delivery retry later;
stale (a crashed sender), it is taken over by generation. failed/ tells the
console a permanent failure happened in its run; it is a hint, so failing to
write it only logs (the dead letter holds the same).
"""

from __future__ import annotations

import contextlib
import json
import logging

from common.messages import EditionReissued, now_iso
from common.orders import claim_name, done_name, failed_name
from common.storage import NotFound, PreconditionFailed, StorageError
from worker.deps import WorkerDeps
from worker.errors import TransientError

log = logging.getLogger(__name__)


class ReissueMarkers:
    def __init__(self, message: EditionReissued, deps: WorkerDeps) -> None:
        key = (message.product, message.edition, message.order_id)
        self._claim, self._done, self._failed = claim_name(*key), done_name(*key), failed_name(*key)
        self._message = message
        self._deps = deps
        self._orders = deps.orders

    def done(self) -> bool:
        """Whether this order has this edition already (mailed, or skipped for a reason)."""
        return self._orders.has(self._done)

    def claim(self) -> None:
        """Hold the order for this delivery, or raise TransientError while another holds it."""
        orders, now = self._orders, self._deps.clock()
        try:
            expected = orders.generation(self._claim)
        except NotFound:
            expected = 0
        else:
            held_since = orders.read_json(self._claim).get("claimed_at", 0)
            if (
                isinstance(held_since, int | float)
                and now - held_since < self._deps.settings.mail_claim_seconds
            ):
                raise TransientError(f"order {self._message.order_id} is being re-issued")
        body = json.dumps({"claimed_at": now, "request_id": self._message.request_id}).encode()
        try:
            orders.write(self._claim, body, if_generation_match=expected)
        except PreconditionFailed as exc:
            raise TransientError(f"order {self._message.order_id} was claimed meanwhile") from exc

    def release(self) -> None:
        """Nothing was sent: the next delivery may claim at once."""
        self._orders.delete(self._claim)

    def finish(self, outcome: str) -> str:
        """Mark the order done for this edition (once), and drop the claim and any failure."""
        body = {"outcome": outcome, "at": now_iso(), "request_id": self._message.request_id}
        with contextlib.suppress(PreconditionFailed):  # another delivery finished first
            self._orders.write(
                self._done,
                json.dumps(body).encode(),
                content_type="application/json",
                if_generation_match=0,
            )
        for name in (self._claim, self._failed):
            self._orders.delete(name)
        return outcome

    def failed(self, reason: str) -> None:
        """Tell the console this order failed in its run."""
        body = {"request_id": self._message.request_id, "reason": reason, "at": now_iso()}
        try:
            self._orders.write(
                self._failed,
                json.dumps(body).encode(),
                content_type="application/json",
            )
        except StorageError:
            log.warning("re-issue failure not noted", extra={"order_id": self._message.order_id})
