"""Revoke or restore the order a merchant's payment paid for (Stripe's refunds and disputes).

Stripe's charge.refunded and charge.dispute.* name the payment_intent, not the
Checkout Session our order is named after. The worker wrote
index/payments/<merchant>/<payment ref> (its body the order id) just before it
created the order's record (_delivery.py), so these use cases read that index
and then revoke or restore the order as _revocation.py does for every merchant.

Stripe does not keep events in order (docs.stripe.com/webhooks#event-ordering):
a refund may come before its sale has been recorded, when there is no index yet.
That is a TransientError: Pub/Sub redelivers with backoff until the sale is
recorded, and dead-letters the refund only if the sale never is (the author can
then replay it, or revoke by hand).
"""

from __future__ import annotations

import logging

from common.messages import PaymentRestored, PaymentRevoked
from common.orders import payment_index_name
from common.storage import NotFound, TransientStorageError
from worker.deps import WorkerDeps
from worker.errors import TransientError
from worker.use_cases._revocation import restore, revoke

log = logging.getLogger(__name__)


def revoke_payment(message: PaymentRevoked, deps: WorkerDeps) -> str:
    """Revoke the order this payment paid for; return its status."""
    order_id = _order_of(message.merchant, message.payment_ref, deps)
    return revoke(order_id, deps, reason=message.reason, by=message.merchant)


def restore_payment(message: PaymentRestored, deps: WorkerDeps) -> str:
    """Restore the order this payment paid for, when a chargeback revoked it."""
    order_id = _order_of(message.merchant, message.payment_ref, deps)
    return restore(order_id, deps, reason=message.reason, event_id=message.event_id)


def _order_of(merchant: str, payment_ref: str, deps: WorkerDeps) -> str:
    """The order id the payment index names; TransientError while there is none yet."""
    name = payment_index_name(merchant, payment_ref)
    try:
        blob = deps.orders.read(name)
    except NotFound:
        raise TransientError(
            f"no order known for {merchant} payment {payment_ref} yet (its sale may not be "
            "recorded yet); retrying"
        ) from None
    except TransientStorageError as exc:
        raise TransientError(f"reading {name} failed: {exc}") from exc
    order_id = blob.data.decode("utf-8", "replace").strip()
    log.info("payment names order", extra={"payment_ref": payment_ref, "order_id": order_id})
    return order_id
