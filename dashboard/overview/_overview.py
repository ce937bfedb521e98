"""The overview's figures: what the shop sold, delivered and handed out, and what needs the author.

Everything comes from the stats markers and their rollups (common/stats), never
from a scan of orders/: at 100,000 orders a scan is 100,000 reads, while the
overview reads one summary per closed week (26), one per closed day of the
running week, two day listings and stats/open/, side by side (bench/dashboard.py
measures it). Only the orders still on their way are read, at most SHOWN_OPEN
of them, to say why each waits: there are few, and each is one the author
should see. A delivery is an order's first mail; re-sends and new-edition mails
are not counted again. A storage failure is raised as it is (StorageError):
the app answers it as a page that could not be read, never with half a page.

Days and weeks are UTC (weeks start on Monday, ISO 8601), as the records keep
time. Per product, the charts keep the five best sellers of the period and sum
the rest as "other", so a colour always names one product, the same in every
chart.

Webhook and stamping health from the logs: the embedded stack writes its logs
to the terminal only and keeps no figures, so the overview has none there;
on Google Cloud the log-based metrics (webhooks_rejected, mail_failures,
stamp_seconds in terraform/monitoring.tf) and their Cloud Monitoring dashboard
have them. `LOG_FIGURES` says so on the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from common.dead_letters import Letter
from common.orders import OrderRecord, OrderStore, Status
from common.stats import (
    DOWNLOADED,
    MAILED,
    OPEN,
    READERS,
    SOLD,
    UNDELIVERABLE,
    Counts,
    day_counts,
    week_of,
)

DAYS, WEEKS = 28, 26
SHOWN_OPEN = 50
MOST_PRODUCTS = 5  # and "other": six colours the charts can keep apart
OTHER = "other"
LOG_FIGURES = (
    "The embedded stack keeps no log figures (its logs go to the terminal). On Google Cloud, "
    "webhooks refused, failed mails and stamping times are the log-based metrics of "
    "terraform/monitoring.tf, on the shop's Cloud Monitoring dashboard."
)
DELIVERIES = "Delivery mails sent by product"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Series:
    """One chart: a bar per period, stacked by product ('' when not counted per product)."""

    title: str
    description: str
    periods: tuple[str, ...]  # ISO dates: the day, or the Monday starting the week
    labels: tuple[str, ...]  # what the axis and the table say for each period
    stacks: tuple[tuple[str, tuple[int, ...]], ...]  # (product, a count per period)

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(column) for column in zip(*(c for _, c in self.stacks), strict=True))


@dataclass(frozen=True)
class OpenOrder:
    order_id: str
    state: str  # why it is not mailed yet, in words
    since: str  # when it was sold (the record's created_at)


@dataclass(frozen=True)
class Health:
    """Did every buyer get the book: the weekly charts' window, and what waits now."""

    sold: int
    mailed: int
    downloads: int
    undeliverable: int
    on_the_way: int  # sold, neither mailed nor revoked (stats/open/)
    awaiting_buyer: int  # of those read: the store has not named the buyer yet
    open_orders: tuple[OpenOrder, ...]  # at most SHOWN_OPEN, oldest first
    dead_letters: int
    dead_letter_kinds: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Overview:
    today: date
    sales_by_day: Series
    deliveries_by_day: Series
    downloads_by_day: Series
    sales_by_week: Series
    deliveries_by_week: Series
    downloads_by_week: Series
    health: Health
    log_figures: str


def overview(orders: OrderStore, *, today: date, dead_letters: Iterable[Letter] = ()) -> Overview:
    """The shop at a glance on `today` (UTC), from the stats indexes and the open orders."""
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    weeks = [week_of(today) - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    first = min(days[0], weeks[0])
    counted = day_counts(orders.storage, orders.bucket, first, today, today=today)
    by_week = _weekly(counted, weeks)
    by_day = {day: counted.get(day, {}) for day in days}
    products = _products(by_week.values())
    day_labels = tuple(_day_label(d) for d in days)
    week_labels = tuple(f"week of {_day_label(w)}" for w in weeks)

    def series(event: str, title: str, what: str, *, weekly: bool) -> Series:
        periods = weeks if weekly else days
        counts = by_week if weekly else by_day
        span = f"the last {len(periods)} {'weeks' if weekly else 'days'} (UTC)"
        return _series(
            f"{title} per {'week' if weekly else 'day'}",
            f"{what}, per {'week' if weekly else 'day'} over {span}",
            periods,
            week_labels if weekly else day_labels,
            [counts[p].get(event, {}) for p in periods],
            products if event in (SOLD, MAILED) else (),
        )

    return Overview(
        today=today,
        sales_by_day=series(SOLD, "Sales", "Copies sold by product", weekly=False),
        deliveries_by_day=series(MAILED, "Deliveries", DELIVERIES, weekly=False),
        downloads_by_day=series(DOWNLOADED, "Downloads", "Files downloaded", weekly=False),
        sales_by_week=series(SOLD, "Sales", "Copies sold by product", weekly=True),
        deliveries_by_week=series(MAILED, "Deliveries", DELIVERIES, weekly=True),
        downloads_by_week=series(DOWNLOADED, "Downloads", "Files downloaded", weekly=True),
        health=_health(orders, by_week.values(), list(dead_letters)),
        log_figures=LOG_FIGURES,
    )


def _weekly(counted: Mapping[date, Counts], weeks: list[date]) -> dict[date, Counts]:
    summed: dict[date, Counts] = {week: {} for week in weeks}
    for day, counts in counted.items():
        week = summed.get(week_of(day))
        if week is None:
            continue
        for event, per_product in counts.items():
            into = week.setdefault(event, {})
            for product, n in per_product.items():
                into[product] = into.get(product, 0) + n
    return summed


def _products(periods: Iterable[Counts]) -> tuple[str, ...]:
    """The products of the window, best sellers first, then those only delivered."""
    sold: Counter[str] = Counter()
    seen: set[str] = set()
    for counts in periods:
        for event in (SOLD, MAILED):
            seen.update(counts.get(event, {}))
        sold.update(counts.get(SOLD, {}))
    return tuple(sorted(seen, key=lambda p: (-sold[p], p)))


def _series(
    title: str,
    description: str,
    periods: list[date],
    labels: tuple[str, ...],
    counts: list[dict[str, int]],
    products: tuple[str, ...],
) -> Series:
    if not products:  # counted per day only
        column = tuple(sum(c.values()) for c in counts)
        stacks: tuple[tuple[str, tuple[int, ...]], ...] = (("", column),)
    else:
        kept = products[:MOST_PRODUCTS] if len(products) > MOST_PRODUCTS + 1 else products
        stacks = tuple((p, tuple(c.get(p, 0) for c in counts)) for p in kept)
        if len(kept) < len(products):
            rest = tuple(sum(n for p, n in c.items() if p not in kept) for c in counts)
            stacks += ((OTHER, rest),)
    return Series(title, description, tuple(p.isoformat() for p in periods), labels, stacks)


def _health(orders: OrderStore, weeks: Iterable[Counts], letters: list[Letter]) -> Health:
    total: Counter[str] = Counter()
    for counts in weeks:
        for event, per_product in counts.items():
            total[event] += sum(per_product.values())
    open_ids = [name.removeprefix(OPEN) for name in orders.list(OPEN)]
    with ThreadPoolExecutor(max_workers=READERS) as pool:  # a round trip each, side by side
        shown = list(pool.map(partial(_open_order, orders), open_ids[:SHOWN_OPEN]))
    live = sorted((o for o in shown if o is not None), key=lambda o: (o.since, o.order_id))
    stale = len(shown) - len(live)  # mailed or revoked: a marker a crash left behind
    kinds = Counter(letter.kind for letter in letters)
    return Health(
        sold=total[SOLD],
        mailed=total[MAILED],
        downloads=total[DOWNLOADED],
        undeliverable=total[UNDELIVERABLE],
        on_the_way=len(open_ids) - stale,
        awaiting_buyer=sum(o.state == AWAITING for o in live),
        open_orders=tuple(live),
        dead_letters=len(letters),
        dead_letter_kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


AWAITING = "awaiting its buyer: the store has not named them yet"
_STATES = {
    Status.RECEIVED: "being stamped",
    Status.STAMPED: "stamped, mail not sent yet",
    Status.MAILING: "mail being sent",
}


def _open_order(orders: OrderStore, order_id: str) -> OpenOrder | None:
    """Why an order on its way waits; None when it is in fact done (a stale marker)."""
    try:
        record, _ = orders.load(order_id)
    except (ValueError, KeyError, TypeError):  # a record that is not ours to parse
        return OpenOrder(order_id, "record unreadable", "")
    if record is None:
        return OpenOrder(order_id, "no record", "")
    if record.status in (Status.MAILED, Status.REVOKED):
        return None
    return OpenOrder(order_id, _state(record), record.created_at)


def _state(record: OrderRecord) -> str:
    return AWAITING if record.awaiting_buyer else _STATES.get(record.status, str(record.status))


def _day_label(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"
