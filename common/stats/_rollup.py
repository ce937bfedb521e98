"""Counting the markers of a span of days, with each closed day counted once and kept.

Listing a day's markers costs a request per 1,000 names on Cloud Storage
(objects.list: "The service will use this parameter or 1,000 items, whichever
is smaller", https://cloud.google.com/storage/docs/json_api/v1/objects/list),
and a shop at 100,000 orders a year has a thousand or more a day. So a day is
listed live only while markers may still arrive for it; after that its
counts are written once, create-only, and read back as one small object:

    stats/days/<YYYY-MM-DD>.json    a closed day of the week still running
    stats/weeks/<monday>.json       a closed week (Monday to Sunday, UTC): its seven days

A day is closed two days after it (CLOSED_AFTER): a marker is named by a time
the record fixed seconds before it is written, and a delivery that crashed
between the two is redelivered within minutes, so a day this old gets no new
ones. (A marker that still comes later stays uncounted; deleting the day's or
week's summary makes the next read count it again.) Half a year of weeks is
then about 32 reads whatever the shop sells, instead of ~180 day summaries.

The first reader of a closed period writes its summary; a second reader racing
it loses the create-only write and takes the stored one, so every reader shows
the same numbers. A summary that is not what we write (edited by hand, cut
short) is not trusted: that period is counted from its markers again, and
nothing is overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from common.stats._markers import ROOT, day_prefix, parse_marker
from common.storage import NotFound, PreconditionFailed, Storage

# event -> product ('' for the events counted per day only) -> how many
Counts = dict[str, dict[str, int]]
CLOSED_AFTER = timedelta(days=2)
# Weeks are read side by side: each is a round trip of tens of milliseconds on Cloud
# Storage, where 26 one after another would take most of a second on their own.
READERS = 8
DAYS, WEEKS = f"{ROOT}days/", f"{ROOT}weeks/"
_VERSION = 1


def count_names(names: Iterable[str]) -> Counts:
    """Counts of the dated markers among names (anything else is skipped)."""
    counts: Counts = {}
    for name in names:
        parsed = parse_marker(name)
        if parsed is not None:
            event, product = parsed
            per_product = counts.setdefault(event, {})
            per_product[product] = per_product.get(product, 0) + 1
    return counts


def week_of(day: date) -> date:
    """The Monday starting day's week (ISO 8601, UTC days)."""
    return day - timedelta(days=day.weekday())


def day_counts(
    storage: Storage, bucket: str, first: date, last: date, *, today: date
) -> dict[date, Counts]:
    """Every day's counts from first to last (inclusive); closed periods are rolled up once."""
    mondays = [
        week_of(first) + timedelta(weeks=n) for n in range((last - week_of(first)).days // 7 + 1)
    ]

    def week(monday: date) -> dict[date, Counts]:
        days = [monday + timedelta(days=n) for n in range(7)]
        if _closed(days[-1], today):
            return _closed_week(storage, bucket, monday, today)
        return {d: _open_week_day(storage, bucket, d, today) for d in days if first <= d <= last}

    found: dict[date, Counts] = {}
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        for counted in pool.map(week, mondays):
            found.update(counted)
    return {day: counts for day, counts in found.items() if first <= day <= last}


def _closed(day: date, today: date) -> bool:
    return day <= today - CLOSED_AFTER


def _listed(storage: Storage, bucket: str, day: date) -> Counts:
    return count_names(storage.list(bucket, day_prefix(day)))


def _open_week_day(storage: Storage, bucket: str, day: date, today: date) -> Counts:
    if day > today:
        return {}
    if not _closed(day, today):
        return _listed(storage, bucket, day)
    counts = _day_summary(storage, bucket, day)
    if counts is not None:
        return counts
    counts = _listed(storage, bucket, day)
    return _keep(storage, bucket, f"{DAYS}{day.isoformat()}.json", {day: counts})[day]


def _closed_week(storage: Storage, bucket: str, monday: date, today: date) -> dict[date, Counts]:
    name = f"{WEEKS}{monday.isoformat()}.json"
    days = [monday + timedelta(days=n) for n in range(7)]
    stored = _read(storage, bucket, name, days)
    if stored is not None:
        return stored
    counted = {day: _day_summary(storage, bucket, day) or _listed(storage, bucket, day)
               for day in days}  # fmt: skip
    return _keep(storage, bucket, name, counted)


def _day_summary(storage: Storage, bucket: str, day: date) -> Counts | None:
    """A day's own summary, written while its week was still running; None if there is none."""
    stored = _read(storage, bucket, f"{DAYS}{day.isoformat()}.json", [day])
    return None if stored is None else stored[day]


def _keep(
    storage: Storage, bucket: str, name: str, counted: dict[date, Counts]
) -> dict[date, Counts]:
    """Write a summary create-only; the stored one wins a race, so every reader agrees."""
    body = {"version": _VERSION, "days": {d.isoformat(): c for d, c in sorted(counted.items())}}
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    try:
        storage.write(bucket, name, data, content_type="application/json", if_generation_match=0)
    except PreconditionFailed:
        return _read(storage, bucket, name, list(counted)) or counted
    return counted


def _read(storage: Storage, bucket: str, name: str, days: list[date]) -> dict[date, Counts] | None:
    """The summary of exactly these days, or None when it is missing or not one we wrote."""
    try:
        raw = json.loads(storage.read(bucket, name).data)
    except (NotFound, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(raw, dict) or raw.get("version") != _VERSION:
        return None
    stored = raw.get("days")
    if not isinstance(stored, dict):
        return None
    parsed: dict[date, Counts] = {}
    for key, counts in stored.items():
        day = _date(key)
        if day is None or not _is_counts(counts):
            return None
        parsed[day] = counts
    return parsed if set(parsed) == set(days) else None


def _date(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _is_counts(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(event, str)
        and isinstance(per_product, dict)
        and all(
            isinstance(p, str) and isinstance(n, int) and not isinstance(n, bool) and n >= 0
            for p, n in per_product.items()
        )
        for event, per_product in value.items()
    )
