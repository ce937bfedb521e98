"""Re-send fresh links to a buyer who asked for them, to the address on the order only.

The customer index lists the orders of an address; each live order gets one
mail with new links. A marker `requests/<request id>` records that a request
was served, so a redelivered request mails nobody twice (a crash between the
mail and the marker may repeat it once). An address with no orders gets
nothing, and the service answers the same either way.
"""

from __future__ import annotations

import contextlib
import logging

from common.contract import LinksRequested
from common.orders import MAILED, MAILING, STAMPED, customer_prefix, load_record
from common.storage import NotFound, PreconditionFailed
from worker.bootstrap import WorkerDeps
from worker.delivery import mail_links

log = logging.getLogger(__name__)


def resend_links(message: LinksRequested, deps: WorkerDeps) -> str:
    bucket = deps.settings.delivery_bucket
    marker = f"requests/{message.request_id}"
    try:
        deps.storage.read(bucket, marker)
        return "duplicate"
    except NotFound:
        pass
    prefix = customer_prefix(message.email)
    sent = 0
    for name in deps.storage.list(bucket, prefix):
        record, _ = load_record(deps.storage, bucket, name.removeprefix(prefix))
        if record is None or record.status not in (STAMPED, MAILING, MAILED):
            continue
        if record.buyer_email.strip().lower() != message.email.strip().lower():
            continue
        mail_links(record, deps, resend=True)
        sent += 1
    with contextlib.suppress(PreconditionFailed):
        deps.storage.write(bucket, marker, str(sent).encode(), if_generation_match=0)
    log.info("links re-sent", extra={"mails": sent, "request_id": message.request_id})
    return f"{sent} mails"
