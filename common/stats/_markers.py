"""Stats markers: one empty, create-only object per order and event, named by its UTC day.

The author's overview counts sales, deliveries and downloads per day without
reading a single order record, so every fact it counts is in an object's
*name*, and a listing of one day's prefix is all a day costs:

    stats/<YYYY-MM-DD>/sold/<product>/<order id>            a product was bought
    stats/<YYYY-MM-DD>/mailed/<product>/<order id>          its delivery mail went out
    stats/<YYYY-MM-DD>/downloaded/<order id>.<file>.<n>     the n-th download of a file
    stats/<YYYY-MM-DD>/undeliverable/<order id>.<mail>      a mail bounced or was dropped
    stats/open/<order id>                                   sold, neither mailed nor revoked

Days are UTC, as every time the records keep (common/messages now_iso): a sale
at 23:30 in New York counts on the next UTC day. Each name is fixed by the
record (the sale's day is created_at's, the delivery's mailed_at's) and
written create-only, so a redelivered message, a retry or a second worker
finds the marker there and counts nothing twice; a download's name holds the
count it reached, which the counter's compare-and-swap gives to one click only.
`<product>` is the catalog slug, percent-encoded so that it stays one segment.

Who writes them: the worker, through `note_order`, when it creates a record and
when a delivery ends (mailed, revoked, or waiting for its buyer), which also
repairs a crash between the record's write and its markers; the service, through
`note_download`, after it counted a download. Undeliverable mails are noted by
whoever learns of a bounce or drop (`note_undeliverable`): the hook for the
mail provider's events. stats/open/ is the index of orders still on their way,
so the overview finds stuck ones without a scan; a delivery's end deletes it.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from urllib.parse import quote, unquote

from common.orders import OrderRecord, Status
from common.storage import PreconditionFailed, Storage

ROOT = "stats/"
OPEN = f"{ROOT}open/"
SOLD, MAILED, DOWNLOADED, UNDELIVERABLE = "sold", "mailed", "downloaded", "undeliverable"
PER_PRODUCT = (SOLD, MAILED)  # the others are counted per day only
EVENTS = (SOLD, MAILED, DOWNLOADED, UNDELIVERABLE)
_DONE = frozenset({Status.MAILED, Status.REVOKED})


def utc_day(timestamp: str) -> date | None:
    """The UTC day of an ISO 8601 time ('…Z' or with an offset); None when it is not one."""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the records write UTC; a bare time is read so
    return moment.astimezone(UTC).date()


def day_prefix(day: date) -> str:
    return f"{ROOT}{day.isoformat()}/"


def product_segment(slug: str) -> str:
    """A catalog slug as one safe name segment ('.' and '..' are encoded too)."""
    segment = quote(slug, safe="")
    return segment.replace(".", "%2E") if segment in (".", "..") else segment


def open_name(order_id: str) -> str:
    return f"{OPEN}{order_id}"


def marker_names(record: OrderRecord) -> list[str]:
    """The dated markers this record's facts warrant (a refund stub, with no products, has none)."""
    names = []
    for event, when in ((SOLD, record.created_at), (MAILED, record.mailed_at)):
        day = utc_day(when) if when else None
        if day is None or not record.products:
            continue
        for slug in dict.fromkeys(s for s in record.products if s):
            names.append(f"{day_prefix(day)}{event}/{product_segment(slug)}/{record.order_id}")
    return names


def note_order(storage: Storage, bucket: str, record: OrderRecord) -> None:
    """Make the markers agree with the record: create the missing ones, close a finished order."""
    for name in marker_names(record):
        _create(storage, bucket, name)
    if record.status in _DONE:
        storage.delete(bucket, open_name(record.order_id))
    elif record.products:
        _create(storage, bucket, open_name(record.order_id))


def download_name(order_id: str, index: int, count: int, *, day: date) -> str:
    return f"{day_prefix(day)}{DOWNLOADED}/{order_id}.{index}.{count}"


def note_download(
    storage: Storage, bucket: str, order_id: str, index: int, count: int, *, day: date
) -> None:
    """Mark the download that took a file's count to `count`."""
    _create(storage, bucket, download_name(order_id, index, count, day=day))


def note_undeliverable(
    storage: Storage, bucket: str, order_id: str, mail: int, *, day: date
) -> None:
    """Mark an order's mail (its place in record.mails) as bounced or dropped, once."""
    _create(storage, bucket, f"{day_prefix(day)}{UNDELIVERABLE}/{order_id}.{mail}")


def parse_marker(name: str) -> tuple[str, str] | None:
    """(event, product) of a dated marker's name ('' for events without products), else None."""
    parts = name.removeprefix(ROOT).split("/")
    if len(parts) < 3 or parts[1] not in EVENTS:
        return None
    event, rest = parts[1], parts[2:]
    if event in PER_PRODUCT:
        return (event, unquote(rest[0])) if len(rest) == 2 else None
    return (event, "") if len(rest) == 1 else None


def _create(storage: Storage, bucket: str, name: str) -> None:
    with contextlib.suppress(PreconditionFailed):
        storage.write(bucket, name, b"", content_type="text/plain", if_generation_match=0)
