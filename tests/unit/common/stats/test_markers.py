"""The stats markers: named by the record's own UTC times, written once per order and event."""

from __future__ import annotations

from datetime import date

import pytest

from common.orders import OrderRecord, Status
from common.stats import (
    OPEN,
    count_names,
    marker_names,
    note_download,
    note_order,
    note_undeliverable,
    open_name,
    utc_day,
)
from common.storage import MemoryStorage

BUCKET = "delivery"


def record(created: str = "2026-03-01T10:00:00Z", *products: str, **more: object) -> OrderRecord:
    fields = {
        "order_id": "txn_1",
        "title": "t",
        "buyer_name": "Ada",
        "buyer_email": "ada@example.com",
        "code": "c",
        "products": products or ("python",),
    } | more
    return OrderRecord.received(at=created, **fields)


def mailed(rec: OrderRecord, at: str) -> OrderRecord:
    claimed = rec.stamped((), at=at).mail_claimed(now=0.0, at=at)
    return claimed.mailed(provider_id="m1", at=at)


@pytest.mark.parametrize(
    ("when", "day"),
    [
        ("2026-03-01T23:59:59Z", date(2026, 3, 1)),
        ("2026-03-02T00:00:00Z", date(2026, 3, 2)),
        # Evening in New York is the next UTC day; early morning in Berlin the previous one.
        ("2026-03-01T20:30:00-05:00", date(2026, 3, 2)),
        ("2026-03-02T00:30:00+01:00", date(2026, 3, 1)),
        ("2026-03-01T12:00:00", date(2026, 3, 1)),  # no offset: the records' UTC
        ("yesterday", None),
    ],
)
def test_days_are_utc_days(when: str, day: date | None) -> None:
    assert utc_day(when) == day


def test_a_sale_counts_on_its_creation_day_and_a_delivery_on_its_mail_day() -> None:
    rec = mailed(record("2026-03-01T23:59:00Z"), "2026-03-02T00:01:00Z")
    assert marker_names(rec) == [
        "stats/2026-03-01/sold/python/txn_1",
        "stats/2026-03-02/mailed/python/txn_1",
    ]


def test_each_product_of_an_order_counts_once_and_a_slug_stays_one_segment() -> None:
    rec = record("2026-03-01T10:00:00Z", "python", "a/b", "python", "..")
    names = marker_names(rec)
    assert names == [
        "stats/2026-03-01/sold/python/txn_1",
        "stats/2026-03-01/sold/a%2Fb/txn_1",
        "stats/2026-03-01/sold/%2E%2E/txn_1",
    ]
    assert count_names(names) == {"sold": {"python": 1, "a/b": 1, "..": 1}}


def test_a_refund_stub_counts_nothing() -> None:
    stub = OrderRecord.revoked_stub("txn_9", at="2026-03-01T10:00:00Z", reason="refund")
    assert marker_names(stub) == []


def test_noting_an_order_again_counts_nothing_twice() -> None:
    storage = MemoryStorage()
    rec = record()
    note_order(storage, BUCKET, rec)
    names = storage.list(BUCKET, "stats/")
    first = [storage.generation(BUCKET, name) for name in names]
    for _ in range(2):  # a redelivered message, a retry, a second worker
        note_order(storage, BUCKET, rec)
    assert names == ["stats/2026-03-01/sold/python/txn_1", open_name("txn_1")]
    assert storage.list(BUCKET, "stats/") == names
    assert [storage.generation(BUCKET, name) for name in names] == first  # never rewritten


def test_an_order_is_open_until_it_is_mailed_or_revoked() -> None:
    storage = MemoryStorage()
    rec = record()
    note_order(storage, BUCKET, rec)
    assert storage.list(BUCKET, OPEN) == ["stats/open/txn_1"]
    done = mailed(rec, "2026-03-01T10:00:05Z")
    note_order(storage, BUCKET, done)
    assert storage.list(BUCKET, OPEN) == []
    note_order(storage, BUCKET, done.revoked(reason="refund", at="2026-03-05T10:00:00Z"))
    assert storage.list(BUCKET, OPEN) == []
    assert count_names(storage.list(BUCKET, "stats/2026-")) == {
        "sold": {"python": 1},
        "mailed": {"python": 1},
    }
    assert done.status == Status.MAILED


def test_a_download_counts_once_per_count_reached_and_a_bounce_once_per_mail() -> None:
    storage = MemoryStorage()
    day = date(2026, 3, 4)
    for count in (1, 2, 2):  # the last: a retried marker of the same click
        note_download(storage, BUCKET, "txn_1", 0, count, day=day)
    note_download(storage, BUCKET, "txn_1", 1, 1, day=day)
    for _ in range(2):
        note_undeliverable(storage, BUCKET, "txn_1", 0, day=day)
    assert count_names(storage.list(BUCKET, "stats/2026-03-04/")) == {
        "downloaded": {"": 3},
        "undeliverable": {"": 1},
    }


def test_names_that_are_not_markers_are_not_counted() -> None:
    names = [
        "stats/2026-03-01/sold/python",  # no order
        "stats/2026-03-01/shipped/python/txn_1",  # no such event
        "stats/2026-03-01/downloaded/python/txn_1.0.1",  # downloads have no product
        "stats/days/2026-03-01.json",
    ]
    assert count_names(names) == {}
