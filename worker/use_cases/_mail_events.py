"""Write what the mail provider said of our mails into their orders: delivered, bounced…

One batch (MailEventsReported, from SendGrid's Event Webhook) may name many
orders; each order's events are applied in one update of its record, oldest
first. A mail is found by the provider's message id (its X-Message-Id, which
SendGrid's sg_message_id starts with), else as the latest mail of its kind.
Each mail keeps the newest status by the event's own time, a final one
(delivered, bounced, dropped, spam) above a deferral (OrderRecord.mail_event),
so a repeated, replayed or late event changes nothing and the batch can be
redelivered at will.

A bounced or dropped mail is logged at ERROR as `mail_failed` (the alert of
terraform/monitoring.tf counts it), gets a line in the order's history and
puts the order in `exlibris orders --status undeliverable`. The buyer's pages
say nothing of it: /links still answers as always.

An event about a mail the record does not list yet (the send was accepted and
the record is still `mailing`) is retried: Pub/Sub redelivers once the record
names the mail. Events of unknown orders, or of mails that are not listed once
the order is settled, are passed over.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from common.messages import MailEvent, MailEventsReported, now_iso
from common.orders import MailStatus, OrderRecord, RecordContended, Status
from common.storage import NotFound
from worker.deps import WorkerDeps
from worker.errors import TransientError

log = logging.getLogger(__name__)
_UNDELIVERED = (MailStatus.BOUNCED, MailStatus.DROPPED)


def record_mail_events(message: MailEventsReported, deps: WorkerDeps) -> str:
    by_order: dict[str, list[MailEvent]] = defaultdict(list)
    for event in message.events:
        by_order[event.order_id].append(event)
    waiting = [order_id for order_id, events in by_order.items() if not _apply(events, deps)]
    if waiting:
        raise TransientError(f"mail events for mails not recorded yet: {', '.join(waiting[:5])}")
    return f"{len(message.events)} mail events"


def _apply(events: list[MailEvent], deps: WorkerDeps) -> bool:
    """Apply one order's events; False when one names a mail the record may list soon."""
    order_id = events[0].order_id
    failed: list[tuple[str, MailEvent]] = []
    unmatched: list[MailEvent] = []

    def apply(record: OrderRecord) -> OrderRecord:
        failed.clear()
        unmatched.clear()
        for event in sorted(events, key=lambda e: e.timestamp):
            index = _mail_of(record, event)
            if index is None:
                unmatched.append(event)
                continue
            before = record.mails[index].status
            record = record.mail_event(
                index,
                status=event.status,
                timestamp=event.timestamp,
                event_id=event.event_id,
                reason=event.reason,
                at=now_iso(),
            )
            after = record.mails[index].status
            if after != before and after in _UNDELIVERED:
                failed.append((record.mails[index].kind, event))
        return record

    try:
        record = deps.orders.update(order_id, apply)
    except NotFound:
        log.info("mail events for an unknown order", extra={"order_id": order_id})
        return True
    except RecordContended as exc:
        raise TransientError(str(exc)) from exc
    for kind, event in failed:
        # One ERROR line per undelivered mail: the log-based metric mail_failures counts it.
        log.error(
            "mail undeliverable",
            extra={
                "event": "mail_failed",
                "order_id": order_id,
                "mail_kind": kind,
                "status": str(event.status),
                "reason": event.reason,
            },
        )
    if unmatched and record.status == Status.MAILING:
        return False
    if unmatched:
        log.info(
            "mail events for mails the order does not list",
            extra={"order_id": order_id, "events": len(unmatched)},
        )
    return True


def _mail_of(record: OrderRecord, event: MailEvent) -> int | None:
    """The mail an event is about: by the provider's message id, else the latest of its kind."""
    if event.message_id:
        return record.mail_index(event.message_id)
    kinds = [n for n, mail in enumerate(record.mails) if mail.kind == event.mail_kind]
    return kinds[-1] if kinds else None
