"""A mail's status in the record: the newest event by its own time, a final one above a deferral."""

from __future__ import annotations

import json

import pytest

from common.orders import MailStatus, OrderRecord, Status

A, D, B, X, S, R = (
    MailStatus.ACCEPTED,
    MailStatus.DELIVERED,
    MailStatus.BOUNCED,
    MailStatus.DROPPED,
    MailStatus.SPAM,
    MailStatus.DEFERRED,
)


def mailed() -> OrderRecord:
    record = OrderRecord.received(
        at="t0",
        order_id="o-1",
        title="Book",
        buyer_name="Ada",
        buyer_email="ada@example.com",
        code="C",
    )
    record = record.stamped((), at="t1").mail_claimed(now=1.0, at="t2")
    return record.mailed(provider_id="msg1", at="t3")


def applied(*events: tuple[MailStatus, int]) -> OrderRecord:
    record = mailed()
    for n, (status, at) in enumerate(events):
        record = record.mail_event(
            0, status=status, timestamp=at, event_id=f"e{n}", reason="", at="t"
        )
    return record


@pytest.mark.parametrize(
    ("events", "final"),
    [
        (((A, 1), (R, 2), (D, 3)), D),
        (((D, 3), (R, 2), (A, 1)), D),  # reversed: the deferral never downgrades
        (((D, 3), (R, 9)), D),  # a deferral stamped later still does not
        (((D, 3), (B, 9)), B),  # an asynchronous bounce after delivery does
        (((B, 9), (D, 3)), B),  # ...whichever arrives first
        (((D, 3), (S, 50)), S),
        (((R, 2), (X, 2)), X),
    ],
)
def test_the_newest_final_status_wins(
    events: tuple[tuple[MailStatus, int], ...], final: MailStatus
) -> None:
    assert applied(*events).mails[0].status == final


def test_a_repeat_changes_nothing() -> None:
    record = applied((B, 5))
    again = record.mail_event(0, status=B, timestamp=5, event_id="other", reason="", at="t")
    same_id = record.mail_event(0, status=D, timestamp=9, event_id="e0", reason="", at="t")
    assert again is record and same_id is record


def test_undeliverable_is_the_last_mails_status() -> None:
    record = applied((B, 5))
    assert record.undeliverable and record.status == Status.MAILED
    resent = record.mail_resent(provider_id="msg2", at="t9")
    assert not resent.undeliverable  # accepted by the provider, for now


def test_mails_are_found_by_sendgrids_message_id() -> None:
    record = mailed()
    assert record.mail_index("msg1.filterdrecv-1-2-3.0") == 0
    assert record.mail_index("msg1") == 0
    assert record.mail_index("msg10.filter") is None


def test_a_record_from_before_mail_statuses_reads_as_accepted() -> None:
    stored = json.loads(mailed().to_json())
    for mail in stored["mails"]:
        for key in ("status", "status_at", "reason", "event_id"):
            del mail[key]
    record = OrderRecord.from_json(json.dumps(stored).encode())
    assert record.mails[0].status == MailStatus.ACCEPTED
    assert OrderRecord.from_json(applied((B, 5)).to_json()).mails[0].status == B


def test_erasure_removes_the_address_from_a_bounce_reason() -> None:
    bounced = mailed().mail_event(
        0,
        status=B,
        timestamp=5,
        event_id="e1",
        reason="550 5.1.1 <ada@example.com>: Recipient address rejected",
        at="t",
    )
    erased = bounced.erased(at="t9", by="the author")
    assert "ada@example.com" not in erased.to_json().decode()
    assert erased.mails[0].status == B and "(erased)" in erased.mails[0].reason
