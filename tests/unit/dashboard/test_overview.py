"""The overview's figures, from orders the worker really handled, read through the indexes only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from common.dead_letters import Letter
from common.messages import Buyer, Message, OrderPaid, OrderRevoked, PaidItem
from common.orders import OrderRecord, OrderStore
from common.settings import Settings
from common.stats import note_order
from dashboard.overview import OpenOrder, overview
from dashboard.overview._overview import AWAITING, OTHER
from tests.support.counting_storage import CountingStorage
from tests.unit.worker.use_cases.test_in_memory import memory_deps
from worker.deps import WorkerDeps
from worker.dispatch import handle

AT = "2026-01-01T00:00:00Z"


@pytest.fixture
def deps(settings: Settings, tmp_path: Path) -> WorkerDeps:
    return memory_deps(settings, tmp_path, CountingStorage())


def paid(order_id: str, *products: str, buyer: Buyer | None = None) -> OrderPaid:
    ids = tuple(f"paddle:{p}" for p in products)
    items = tuple(PaidItem(f"item_{p}", (f"paddle:{p}",)) for p in products)
    source = "billing" if buyer else "classic"  # a Classic fulfilment webhook may lack the buyer
    return OrderPaid(order_id, ids, f"evt_{order_id}", AT, "paddle", source, buyer, items=items)


def deliver(deps: WorkerDeps, *messages: Message) -> None:
    for message in messages:
        handle(message, deps)


def today() -> date:
    return datetime.now(UTC).date()  # the worker dates records by the clock


ADA = Buyer("Ada Lovelace", "ada@example.com")


def test_sales_deliveries_and_orders_on_their_way_count_each_order_once(
    deps: WorkerDeps,
) -> None:
    deliver(
        deps,
        paid("txn_1", "pri_python", buyer=ADA),
        paid("txn_1", "pri_python", buyer=ADA),  # Pub/Sub delivers at least once
        paid("txn_2", "pri_python", "pri_rust", buyer=ADA),
        paid("txn_3", "pri_rust"),  # a fulfilment webhook without the buyer: it waits
        paid("txn_3", "pri_rust"),
        paid("txn_4", "pri_rust"),
        OrderRevoked("txn_4", "evt_r", AT, "refund"),  # refunded before its buyer was named
    )
    figures = overview(deps.orders, today=today())
    health = figures.health
    assert (health.sold, health.mailed, health.downloads, health.undeliverable) == (5, 3, 0, 0)
    assert sum(figures.sales_by_week.totals) == 5
    assert sum(figures.sales_by_day.totals) == 5
    # Best sellers first, in every chart: rust sold 3 (mailed 1), python 2 (mailed 2).
    assert [(p, sum(c)) for p, c in figures.sales_by_week.stacks] == [("rust", 3), ("python", 2)]
    assert [(p, sum(c)) for p, c in figures.deliveries_by_day.stacks] == [
        ("rust", 1),
        ("python", 2),
    ]
    assert health.on_the_way == 1 and health.awaiting_buyer == 1
    [waiting] = health.open_orders
    record, _ = deps.orders.load("txn_3")
    assert record is not None
    assert waiting == OpenOrder("txn_3", AWAITING, record.created_at)


def test_a_named_buyer_takes_the_order_off_the_list(deps: WorkerDeps) -> None:
    deliver(deps, paid("txn_3", "pri_rust"))
    assert overview(deps.orders, today=today()).health.awaiting_buyer == 1
    deliver(deps, paid("txn_3", "pri_rust", buyer=ADA))  # the payment alert names them
    health = overview(deps.orders, today=today()).health
    assert (health.on_the_way, health.awaiting_buyer, health.open_orders) == (0, 0, ())
    assert (health.sold, health.mailed) == (1, 1)


def test_dead_letters_are_counted_by_kind(deps: WorkerDeps) -> None:
    letters = [
        Letter("1", "unknown-product", "txn_9", "no catalog product", AT, "service"),
        Letter("2", "order.paid", "txn_8", "cannot stamp", AT, "worker"),
        Letter("3", "unknown-product", "txn_7", "no catalog product", AT, "service"),
    ]
    health = overview(deps.orders, today=today(), dead_letters=letters).health
    assert health.dead_letters == 3
    assert health.dead_letter_kinds == (("unknown-product", 2), ("order.paid", 1))


def sale(n: int, day: date, product: str) -> OrderRecord:
    at = f"{day.isoformat()}T{n % 24:02d}:00:00Z"
    received = OrderRecord.received(
        at=at, order_id=f"txn_{n}", title="t", buyer_name="n", buyer_email="e@example.com",
        code="c", products=(product,),
    )  # fmt: skip
    return received.stamped((), at=at).mail_claimed(now=0, at=at).mailed(provider_id="m", at=at)


def test_a_warm_overview_reads_a_summary_per_week_not_a_record_per_order() -> None:
    storage = CountingStorage()
    orders = OrderStore(storage, "delivery")
    day = date(2026, 3, 18)
    for n in range(400):  # 400 orders over the 26 weeks shown, seven products
        note_order(storage, "delivery", sale(n, day - timedelta(days=n % 170), f"book{n % 7}"))
    cold = overview(orders, today=day)
    storage.calls.clear()
    warm = overview(orders, today=day)
    assert warm == cold
    assert warm.health.sold == warm.health.mailed == 400
    # 26 weeks: 25 closed (a summary each), the running week's closed Monday, two days listed,
    # and stats/open/; no record is read (no order is on its way).
    assert storage.calls == {"read": 26, "list": 3}


def test_more_products_than_colours_keep_the_best_sellers_and_sum_the_rest() -> None:
    storage = CountingStorage()
    day = date(2026, 3, 18)
    sales = {"a": 9, "b": 8, "c": 7, "d": 6, "e": 5, "f": 2, "g": 1}
    n = 0
    for product, count in sales.items():
        for _ in range(count):
            n += 1
            note_order(storage, "delivery", sale(n, day, product))
    figures = overview(OrderStore(storage, "delivery"), today=day)
    stacks = dict(figures.sales_by_day.stacks)
    assert list(stacks) == ["a", "b", "c", "d", "e", OTHER]
    assert stacks[OTHER][-1] == 3 and figures.sales_by_day.totals[-1] == 38


def test_a_redelivery_writes_the_markers_a_crash_left_out(deps: WorkerDeps) -> None:
    deliver(deps, paid("txn_1", "pri_python", buyer=ADA))
    markers = deps.orders.list("stats/2")
    assert len(markers) == 2  # sold and mailed
    for name in markers:  # as if the worker died between the record's write and its markers
        deps.orders.delete(name)
    deliver(deps, paid("txn_1", "pri_python", buyer=ADA))  # Pub/Sub redelivers the message
    assert deps.orders.list("stats/2") == markers
    health = overview(deps.orders, today=today()).health
    assert (health.sold, health.mailed, health.on_the_way) == (1, 1, 0)
