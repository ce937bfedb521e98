"""Mail one stamped EPUB to a Kindle's address (KindleRequested, from the download page).

The service checked the address (a Kindle's own, common/messages), the size (one mail,
common/kindle.py) and counted the download before it published; this mails the copy as an
`application/epub+zip` attachment to that address only. A copy the lifecycle rule deleted
is stamped again first. The address is kept nowhere: the log line and the order's list of
mails hold it masked (j***@k***.com), and the message itself is gone once acknowledged.

Nothing twice: a marker `requests/<request id>/<order id>` holding the mail's id is
written right after the send, and before sending the mail port is asked whether a mail
under the request's key already went out (a worker killed between the two).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from common.kindle import EPUB_TYPE, too_large
from common.logging import mask_email
from common.messages import KindleRequested, now_iso
from common.orders import InvalidTransition, OrderRecord, RecordContended, request_marker
from common.storage import NotFound, PreconditionFailed
from worker.deps import WorkerDeps
from worker.errors import PermanentError, TransientError
from worker.mail import Attachment, render_kindle
from worker.use_cases._links_mail import mail_language, send_mail, shop_of
from worker.use_cases._upkeep import remake_missing

log = logging.getLogger(__name__)


def send_to_kindle(message: KindleRequested, deps: WorkerDeps) -> str:
    """Mail the requested copy to the Kindle address; return what happened."""
    marker = request_marker(message.request_id, message.order_id)
    if deps.orders.has(marker):
        return "already sent"  # a redelivery
    to = mask_email(message.kindle_email)
    record = _sendable(message, deps)
    if record is None:
        log.info("kindle mail skipped", extra={"order_id": message.order_id, "to": to})
        return "not sent: refunded or gone"
    key = f"kindle:{message.request_id}"
    mail_id = deps.mailer.sent(key)
    if mail_id is None:
        copy = _attachment(record, message.file_index, deps)
        language = mail_language(record, deps)
        shop = shop_of(deps, record)
        mail = render_kindle(record, message.kindle_email, copy, shop, language=language)
        mail_id = send_mail(replace(mail, key=key), deps)
    with contextlib.suppress(PreconditionFailed):
        deps.orders.write(marker, mail_id.encode(), if_generation_match=0)
    _listed(deps, message.order_id, mail_id, to)
    log.info(
        "sent to kindle",
        extra={"order_id": message.order_id, "file": message.file_index, "to": to},
    )
    return "sent to kindle"


def _sendable(message: KindleRequested, deps: WorkerDeps) -> OrderRecord | None:
    """The record once the copy is stored; None if the order or the file was refunded."""
    record, _ = deps.orders.load(message.order_id)
    if record is None:
        raise PermanentError(f"no order {message.order_id}")
    index = message.file_index
    if not record.deliverable or index >= len(record.files) or record.files[index].revoked_at:
        return None
    if remake_missing(record.order_id, deps, (index,)) == "re-stamped":
        record, _ = deps.orders.load(message.order_id)
        if record is None or not record.deliverable or record.files[index].revoked_at:
            return None
    return record


def _attachment(record: OrderRecord, index: int, deps: WorkerDeps) -> Attachment:
    delivered = record.files[index]
    if not delivered.filename.lower().endswith(".epub"):
        raise PermanentError(f"file {index} of {record.order_id} is not an EPUB")
    if problem := too_large(delivered.size):  # the page refused it; a copy made since may grow
        raise PermanentError(problem)
    try:
        data = deps.orders.read(delivered.object_name).data
    except NotFound:
        raise TransientError(f"copy {index} of {record.order_id} vanished; retrying") from None
    if problem := too_large(len(data)):
        raise PermanentError(problem)
    return Attachment(delivered.filename, EPUB_TYPE, data)


def _listed(deps: WorkerDeps, order_id: str, mail_id: str, to: str) -> None:
    """List the mail in the record once (masked address), however often this runs."""

    def listed(record: OrderRecord) -> OrderRecord:
        if any(m.provider_id == mail_id for m in record.mails):
            return record
        return record.mail_sent("kindle", provider_id=mail_id, at=now_iso(), to=to)

    try:
        deps.orders.update(order_id, listed)
    except InvalidTransition:
        pass  # refunded while we mailed: the copy went out before the refund was known
    except RecordContended as exc:
        raise TransientError(str(exc)) from exc  # the marker keeps a retry from mailing again
