"""Shop statistics through indexes: dated create-only markers per order and event, and
closed days and weeks rolled up once, so the author's overview never scans the records.

Markers and who writes them: _markers.py. Counting a span of days: _rollup.py.
"""

from common.stats._markers import (
    DOWNLOADED,
    EVENTS,
    MAILED,
    OPEN,
    PER_PRODUCT,
    SOLD,
    UNDELIVERABLE,
    download_name,
    marker_names,
    note_download,
    note_order,
    note_undeliverable,
    open_name,
    utc_day,
)
from common.stats._rollup import CLOSED_AFTER, READERS, Counts, count_names, day_counts, week_of

__all__ = [
    "CLOSED_AFTER",
    "DOWNLOADED",
    "EVENTS",
    "MAILED",
    "OPEN",
    "PER_PRODUCT",
    "READERS",
    "SOLD",
    "UNDELIVERABLE",
    "Counts",
    "count_names",
    "day_counts",
    "download_name",
    "marker_names",
    "note_download",
    "note_order",
    "note_undeliverable",
    "open_name",
    "utc_day",
    "week_of",
]
