"""Re-send fresh links to a buyer who asked for them, to the address on the order only.

The customer index lists the orders of an address; each live order gets one
mail with new links. A marker `requests/<request id>/<order id>` written
right after each mail means a redelivered request (after a failure on a later
order, say) mails no order twice; a crash between a mail and its marker may
repeat that one mail. An address with no orders gets
nothing, and the service answers the same either way. Copies the bucket's
lifecycle rule deleted are stamped again before the mail goes out, so the
fresh links lead to files (worker/restamp.py).
"""

from __future__ import annotations

import contextlib
import logging

from common.contract import LinksRequested
from common.orders import customer_prefix, load_record
from common.storage import NotFound, PreconditionFailed
from worker.deps import WorkerDeps
from worker.links_mail import mail_links
from worker.restamp import remake_missing

log = logging.getLogger(__name__)


def resend_links(message: LinksRequested, deps: WorkerDeps) -> str:
    bucket = deps.settings.delivery_bucket
    prefix = customer_prefix(message.email)
    sent = 0
    for name in deps.storage.list(bucket, prefix):
        order_id = name.removeprefix(prefix)
        marker = f"requests/{message.request_id}/{order_id}"
        if _exists(deps, marker):
            continue  # this request already mailed this order (a redelivery)
        record, _ = load_record(deps.storage, bucket, order_id)
        if record is None or not record.deliverable:
            continue
        if record.buyer_email.strip().lower() != message.email.strip().lower():
            continue
        if remake_missing(order_id, deps) == "re-stamped":
            record, _ = load_record(deps.storage, bucket, order_id)
            if record is None or not record.deliverable:
                continue
        mail_links(record, deps, resend=True)
        with contextlib.suppress(PreconditionFailed):
            deps.storage.write(bucket, marker, b"", if_generation_match=0)
        sent += 1
    log.info("links re-sent", extra={"mails": sent, "request_id": message.request_id})
    return f"{sent} mails"


def _exists(deps: WorkerDeps, name: str) -> bool:
    try:
        deps.storage.generation(deps.settings.delivery_bucket, name)
    except NotFound:
        return False
    return True
