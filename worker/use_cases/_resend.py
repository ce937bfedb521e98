"""Re-send fresh links, always to the address on the order only.

Two ways in. A buyer asks on /links (LinksRequested): the customer index lists
the orders of that address and each live order gets one mail with new links;
an address with no orders gets nothing, and the service answers the same
either way. The author asks for one order from the console (ResendRequested):
that order gets one mail, and the record lists it among its mails.

A marker `requests/<request id>/<order id>` written right after each mail
means a redelivered request (after a failure on a later order, say) mails no
order twice; a crash between a mail and its marker may repeat that one mail.

Copies the bucket's lifecycle rule deleted are stamped again before the mail
goes out, so the fresh links lead to files (worker/restamp.py).
"""

from __future__ import annotations

import contextlib
import logging

from common.messages import LinksRequested, ResendRequested, now_iso
from common.orders import (
    InvalidTransition,
    OrderRecord,
    RecordContended,
    customer_prefix,
    request_marker,
)
from common.storage import NotFound, PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError
from worker.use_cases._links_mail import mail_links
from worker.use_cases._upkeep import remake_missing

log = logging.getLogger(__name__)


def resend_links(message: LinksRequested, deps: WorkerDeps) -> str:
    prefix = customer_prefix(message.email)
    sent = 0
    for name in deps.orders.list(prefix):
        order_id = name.removeprefix(prefix)
        marker = request_marker(message.request_id, order_id)
        if deps.orders.has(marker):
            continue  # this request already mailed this order (a redelivery)
        record, _ = deps.orders.load(order_id)
        if record is None or not record.deliverable:
            continue
        if record.buyer_email.strip().lower() != message.email.strip().lower():
            continue
        record = _with_copies(record, deps)
        if record is None:
            continue
        mail_links(record, deps, resend=True)
        with contextlib.suppress(PreconditionFailed):
            deps.orders.write(marker, b"", if_generation_match=0)
        sent += 1
    log.info("links re-sent", extra={"mails": sent, "request_id": message.request_id})
    return f"{sent} mails"


def resend_order(message: ResendRequested, deps: WorkerDeps) -> str:
    """Mail one order's links again, to its own address; a revoked order gets nothing."""
    marker = request_marker(message.request_id, message.order_id)
    try:
        mail_id = deps.orders.read(marker).data.decode()  # a redelivery: mailed already
    except NotFound:
        record, _ = deps.orders.load(message.order_id)
        if record is None:
            raise PermanentError(f"no order {message.order_id}") from None
        if not record.deliverable:
            log.info(
                "re-send skipped", extra={"order_id": record.order_id, "status": record.status}
            )
            return f"not re-sent: {record.status}"
        record = _with_copies(record, deps)
        if record is None:
            return "not re-sent: revoked meanwhile"
        mail_id = mail_links(record, deps, resend=True)
        with contextlib.suppress(PreconditionFailed):
            deps.orders.write(marker, mail_id.encode(), if_generation_match=0)
    _record_resent(deps, message.order_id, mail_id)
    log.info("links re-sent", extra={"order_id": message.order_id, "mail_id": mail_id})
    return "re-sent"


def _with_copies(record: OrderRecord, deps: WorkerDeps) -> OrderRecord | None:
    """The record once its missing copies are stamped again; None if revoked meanwhile."""
    if remake_missing(record.order_id, deps) != "re-stamped":
        return record
    fresh, _ = deps.orders.load(record.order_id)
    return fresh if fresh is not None and fresh.deliverable else None


def _record_resent(deps: WorkerDeps, order_id: str, mail_id: str) -> None:
    """List the mail in the record once, however often this runs."""

    def listed(record: OrderRecord) -> OrderRecord:
        if any(m.provider_id == mail_id for m in record.mails):
            return record
        return record.mail_resent(provider_id=mail_id, at=now_iso())

    try:
        deps.orders.update(order_id, listed)
    except InvalidTransition:
        pass  # revoked while we mailed: its links now answer 410, the mail is harmless
    except RecordContended as exc:
        raise TransientError(str(exc)) from exc  # the marker keeps a retry from mailing again
