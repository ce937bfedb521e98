"""Counting a span of days: open days listed live, closed days and weeks rolled up once."""

from __future__ import annotations

import json
from datetime import date, timedelta

from common.orders import OrderRecord
from common.stats import Counts, day_counts, note_order, week_of
from common.storage import MemoryStorage
from tests.support.counting_storage import CountingStorage

BUCKET = "delivery"
TODAY = date(2026, 3, 18)  # a Wednesday: Monday the 16th is closed, Tuesday still open
MONDAY = week_of(TODAY)
LAST_WEEK = MONDAY - timedelta(days=7)


def sell(storage: MemoryStorage, order_id: str, at: str, product: str = "python") -> None:
    rec = OrderRecord.received(
        at=at, order_id=order_id, title="t", buyer_name="n", buyer_email="e@example.com",
        code="c", products=(product,),
    )  # fmt: skip
    note_order(storage, BUCKET, rec)


def sold(counts: Counts) -> int:
    return sum(counts.get("sold", {}).values())


def noon(day: date) -> str:
    return f"{day.isoformat()}T12:00:00Z"


def test_the_running_week_lists_open_days_and_keeps_closed_ones_once() -> None:
    storage = MemoryStorage()
    for n, day in enumerate((MONDAY, TODAY - timedelta(days=1), TODAY)):
        sell(storage, f"txn_{n}", noon(day))
    counted = day_counts(storage, BUCKET, MONDAY, TODAY, today=TODAY)
    assert [sold(counted[MONDAY + timedelta(days=n)]) for n in range(3)] == [1, 1, 1]
    assert storage.list(BUCKET, "stats/days/") == ["stats/days/2026-03-16.json"]
    for n, day in enumerate((MONDAY, TODAY - timedelta(days=1), TODAY)):
        sell(storage, f"late_{n}", noon(day))  # a marker the closed day no longer takes
    again = day_counts(storage, BUCKET, MONDAY, TODAY, today=TODAY)
    assert [sold(again[MONDAY + timedelta(days=n)]) for n in range(3)] == [1, 2, 2]
    storage.delete(BUCKET, "stats/days/2026-03-16.json")  # how an author counts it again
    assert sold(day_counts(storage, BUCKET, MONDAY, MONDAY, today=TODAY)[MONDAY]) == 2


def test_a_closed_week_is_one_summary_read_once_listed_never_again() -> None:
    storage = CountingStorage()
    for n in range(7):
        sell(storage, f"txn_{n}", noon(LAST_WEEK + timedelta(days=n)))
    day_counts(storage, BUCKET, LAST_WEEK, TODAY, today=TODAY)
    assert storage.list(BUCKET, "stats/weeks/") == ["stats/weeks/2026-03-09.json"]
    assert storage.list(BUCKET, "stats/days/") == ["stats/days/2026-03-16.json"]
    storage.calls.clear()
    counted = day_counts(storage, BUCKET, LAST_WEEK, TODAY, today=TODAY)
    assert [sold(counted[LAST_WEEK + timedelta(days=n)]) for n in range(7)] == [1] * 7
    # Last week's summary and Monday's; Tuesday and today (Wednesday) are listed.
    assert storage.calls == {"read": 2, "list": 2}


def test_sunday_night_and_monday_morning_are_in_different_weeks() -> None:
    storage = MemoryStorage()
    sell(storage, "sunday", "2026-03-15T23:59:59Z")
    sell(storage, "monday", "2026-03-16T00:00:00Z")
    sell(storage, "berlin", "2026-03-16T00:30:00+01:00")  # Sunday 23:30 UTC
    day_counts(storage, BUCKET, LAST_WEEK, TODAY, today=TODAY)
    week = json.loads(storage.read(BUCKET, "stats/weeks/2026-03-09.json").data)
    assert week["days"]["2026-03-15"] == {"sold": {"python": 2}}
    day = json.loads(storage.read(BUCKET, "stats/days/2026-03-16.json").data)
    assert day["days"] == {"2026-03-16": {"sold": {"python": 1}}}


class RacingStorage(MemoryStorage):
    """Another reader writes the same summary between our listing and our write."""

    def __init__(self, theirs: bytes) -> None:
        super().__init__()
        self.theirs = theirs

    def write(self, bucket: str, name: str, data: bytes, **kwargs: object) -> int:
        if name.startswith("stats/weeks/") and self.theirs:
            theirs, self.theirs = self.theirs, b""
            super().write(bucket, name, theirs, if_generation_match=0)
        return super().write(bucket, name, data, **kwargs)  # type: ignore[arg-type]


def test_a_reader_that_loses_the_race_shows_the_stored_summary() -> None:
    days = {(LAST_WEEK + timedelta(days=n)).isoformat(): {"sold": {"rust": 5}} for n in range(7)}
    theirs = json.dumps({"version": 1, "days": days}).encode()
    storage = RacingStorage(theirs)
    sell(storage, "txn_1", noon(LAST_WEEK))
    counted = day_counts(storage, BUCKET, LAST_WEEK, LAST_WEEK, today=TODAY)
    assert counted == {LAST_WEEK: {"sold": {"rust": 5}}}  # theirs, not our listing's python: 1
    assert storage.read(BUCKET, "stats/weeks/2026-03-09.json").data == theirs


def test_a_summary_that_is_not_ours_is_neither_trusted_nor_overwritten() -> None:
    storage = MemoryStorage()
    sell(storage, "txn_1", noon(LAST_WEEK))
    bad = [b"{not json", b'{"version": 1, "days": {"2026-03-09": {"sold": {"python": -3}}}}']
    for body in bad:
        storage.write(BUCKET, "stats/weeks/2026-03-09.json", body)
        counted = day_counts(storage, BUCKET, LAST_WEEK, LAST_WEEK, today=TODAY)
        assert counted == {LAST_WEEK: {"sold": {"python": 1}}}
        assert storage.read(BUCKET, "stats/weeks/2026-03-09.json").data == body


def test_days_to_come_count_nothing_and_ask_nothing() -> None:
    storage = CountingStorage()
    counted = day_counts(storage, BUCKET, TODAY + timedelta(days=1), MONDAY + timedelta(days=6),
                         today=TODAY)  # fmt: skip
    assert counted == {TODAY + timedelta(days=n): {} for n in range(1, 5)}
    assert storage.calls == {}
