"""Re-send fresh links, always to the address on the order only (record.mail_to).

Two ways in. A buyer asks on /links (LinksRequested): the customer index lists
the orders of that address and each live order gets one mail with new links;
an address with no orders gets nothing, and the service answers the same
either way. The author asks for one order from the console (ResendRequested):
that order gets one mail, and the record lists it among its mails. With a
corrected address (`exlibris resend ID --to ADDRESS --reason TEXT`) the record
takes the address first (email_changes, a history entry naming the reason and
who asked) and gains the new address's customer index entry; this mail and
every later one (re-sends, /links, new editions) go there. The old address's
index entry stays, so the author still finds the order by it, but /links by
the old address mails nothing: only the address the order mails to is answered.

A marker `requests/<request id>/<order id>` written right after each mail,
holding the provider's message id, means a redelivered request (after a
failure on a later order, say) mails no order twice; a crash between a mail and
its marker may repeat that one mail. Either way the mail is then listed in the
record's mails (once, by its id), so `exlibris order ID` shows the buyer's
re-sends beside the author's and their delivery status.

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
        try:
            mail_id = deps.orders.read(marker).data.decode()  # a redelivery: mailed already
        except NotFound:
            mailed = _mail_buyer(order_id, message, deps)
            if mailed is None:
                continue
            mail_id = mailed
            with contextlib.suppress(PreconditionFailed):
                deps.orders.write(marker, mail_id.encode(), if_generation_match=0)
            sent += 1
        if mail_id:  # markers from before buyer re-sends were listed hold no id
            _record_resent(deps, order_id, mail_id)
    log.info("links re-sent", extra={"mails": sent, "request_id": message.request_id})
    return f"{sent} mails"


def _mail_buyer(order_id: str, message: LinksRequested, deps: WorkerDeps) -> str | None:
    """Mail one order's links to the address that asked; None when it gets nothing."""
    record, _ = deps.orders.load(order_id)
    if record is None or not record.deliverable:
        return None
    if record.mail_to.strip().lower() != message.email.strip().lower():
        return None  # an address the author has since corrected away from, or a hash clash
    record = _with_copies(record, deps)
    if record is None:
        return None
    return mail_links(record, deps, resend=True, asked=message.language)


def resend_order(message: ResendRequested, deps: WorkerDeps) -> str:
    """Mail one order's links again, to its own address; a revoked order gets nothing."""
    marker = request_marker(message.request_id, message.order_id)
    try:
        mail_id = deps.orders.read(marker).data.decode()  # a redelivery: mailed already
    except NotFound:
        record, _ = deps.orders.load(message.order_id)
        if record is None:
            raise PermanentError(f"no order {message.order_id}") from None
        if message.to and record.deliverable:
            record = _corrected(message, deps)
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


def _corrected(message: ResendRequested, deps: WorkerDeps) -> OrderRecord:
    """The record once it mails to message.to, with that address's customer index entry."""

    def correct(record: OrderRecord) -> OrderRecord:
        if not record.deliverable:
            return record  # revoked meanwhile: the caller says so and mails nothing
        return record.email_corrected(
            email=message.to, reason=message.reason, by=message.requested_by, at=now_iso()
        )

    try:
        record = deps.orders.update(message.order_id, correct)
    except RecordContended as exc:
        raise TransientError(str(exc)) from exc  # nothing mailed yet: the retry starts over
    deps.orders.write_indexes(record)  # create-only: a redelivery finds them written
    return record


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
