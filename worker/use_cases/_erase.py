"""Erase a buyer's data on request (`exlibris forget EMAIL`): GDPR art. 17, done once per order.

The customer index (`customers/<sha256 of the address>/<order id>`) lists the
address's orders, as /links does; the worker wrote an entry for every address
an order had, from its first record on. For each order, in an order that a
crash at any step leaves to the redelivery to finish:

1. the index entries of the order's other addresses (a corrected address,
   `resend --to`) are deleted: the record is the only place that names them;
2. the record is erased (OrderRecord.erased): name, addresses, customer id
   and gift note go, history notes lose the addresses; it keeps its id,
   products, dates, code and download counts for the author's accounts, and
   is revoked, so no link, re-send, new edition or late redelivery of its
   purchase stamps or mails it again, and /verify says the data was erased;
3. the stamped copies are deleted, and the order's re-issue failure notes
   (their reasons may quote a provider's refusal naming the address);
4. last, this address's index entry: while it stands, a redelivery finds
   the order again. A second request finds none and does nothing.

It runs in the worker, as revoke does, because only the worker writes order
records (under generation preconditions, so an erasure racing a delivery
agrees on one history). What the worker does not hold is the console's to
clear once this is done: dead letters and the embedded outbox.
"""

from __future__ import annotations

import logging

from common.messages import ErasureRequested, now_iso
from common.orders import OrderRecord, customer_prefix, reissues_prefix
from common.storage import NotFound
from worker.deps import WorkerDeps
from worker.use_cases._revocation import changed
from worker.use_cases._upkeep import delete_copies

log = logging.getLogger(__name__)


def erase_buyer(message: ErasureRequested, deps: WorkerDeps) -> str:
    """Erase every order of the address; how many were erased."""
    prefix = customer_prefix(message.email)
    erased = 0
    for name in deps.orders.list(prefix):
        order_id = name.removeprefix(prefix)
        record, _ = deps.orders.load(order_id)
        if record is not None and not _holds(record, message.email):
            continue  # not this buyer's (an index entry no record backs up): leave it
        if record is not None:
            _erase(record, message, deps)
        deps.orders.delete(name)
        erased += 1
        log.info("buyer data erased", extra={"order_id": order_id, "by": message.requested_by})
    return f"erased {erased}"


def _holds(record: OrderRecord, email: str) -> bool:
    """Whether the record is this address's (or was, and is erased already)."""
    return bool(record.erased_at) or email.lower() in (e.lower() for e in record.emails)


def _erase(record: OrderRecord, message: ErasureRequested, deps: WorkerDeps) -> None:
    for address in record.emails:
        if address.lower() != message.email.lower():
            deps.orders.delete(customer_prefix(address) + record.order_id)
    try:
        erased = changed(
            deps,
            record.order_id,
            lambda r: r.erased(at=now_iso(), by=message.requested_by),
        )
    except NotFound:
        return
    delete_copies(erased, deps)
    for slug in erased.products:
        for name in deps.orders.list(reissues_prefix(slug)):
            if name.endswith(f"/failed/{erased.order_id}"):
                deps.orders.delete(name)
