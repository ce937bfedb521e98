"""The order indexes: written once per order and key, and queries that list only their prefix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.orders import (
    OrderQuery,
    OrderRecord,
    customer_prefix,
    find_order_ids,
    save_record,
    write_indexes,
)
from common.orders._index import index_names
from common.settings import Settings
from common.storage import InvalidName, LocalStorage
from tests.support.shop import local_storage

TODAY = date(2026, 3, 15)


def order(order_id: str, email: str, products: tuple[str, ...], created: str) -> OrderRecord:
    return OrderRecord.received(
        at=created,
        order_id=order_id,
        title="t",
        buyer_name="n",
        buyer_email=email,
        code="c",
        products=products,
    )


@pytest.fixture
def store(settings: Settings) -> LocalStorage:
    storage = local_storage(settings)
    for record in (
        order("o-1", "ada@example.com", ("book",), "2026-01-31T23:59:59Z"),
        order("o-2", "Ada@Example.com ", ("book", "bonus"), "2026-02-01T00:00:00Z"),
        order("o-3", "bob@example.com", ("bonus",), "2026-03-15T08:00:00Z"),
    ):
        save_record(storage, settings.delivery_bucket, record, 0)
        write_indexes(storage, settings.delivery_bucket, record)
    return storage


def ids(store: LocalStorage, settings: Settings, **query: object) -> list[str]:
    return find_order_ids(store, settings.delivery_bucket, OrderQuery(**query), today=TODAY)  # type: ignore[arg-type]


def test_an_order_is_indexed_by_email_product_and_day() -> None:
    record = order("o-9", "Ada@Example.com", ("book", "bonus"), "2026-02-01T10:00:00Z")
    assert index_names(record) == [
        customer_prefix("ada@example.com") + "o-9",
        "index/products/book/o-9",
        "index/products/bonus/o-9",
        "index/created/2026-02-01/o-9",
    ]


def test_indexes_are_create_only(store: LocalStorage, settings: Settings) -> None:
    name = "index/products/book/o-1"
    generation = store.generation(settings.delivery_bucket, name)
    write_indexes(store, settings.delivery_bucket, order("o-1", "a@b.co", ("book",), "2026-01-31"))
    assert store.generation(settings.delivery_bucket, name) == generation


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"email": "ADA@example.com"}, ["o-1", "o-2"]),
        ({"email": "nobody@example.com"}, []),
        ({"product": "bonus"}, ["o-2", "o-3"]),
        ({"since": date(2026, 2, 1)}, ["o-2", "o-3"]),
        ({"since": date(2026, 1, 31)}, ["o-1", "o-2", "o-3"]),
        ({"since": date(2026, 3, 16)}, []),
        ({"email": "ada@example.com", "product": "bonus"}, ["o-2"]),
        ({"product": "book", "since": date(2026, 2, 1)}, ["o-2"]),
        ({}, ["o-1", "o-2", "o-3"]),
    ],
)
def test_queries_combine_their_indexes(
    store: LocalStorage, settings: Settings, query: dict[str, object], expected: list[str]
) -> None:
    assert ids(store, settings, **query) == expected


def test_without_a_filter_every_record_is_listed_even_unindexed(
    store: LocalStorage, settings: Settings
) -> None:
    save_record(store, settings.delivery_bucket, order("old", "x@y.co", (), ""), 0)
    assert ids(store, settings) == ["o-1", "o-2", "o-3", "old"]
    assert ids(store, settings, since=date(2020, 1, 1)) == ["o-1", "o-2", "o-3"]


@pytest.mark.parametrize(
    "prefix",
    ["", "a", "a/", "a/b", "a/b/", "a/bc/", "a/b/c", "ab", "nope/", "a/b/c/d", "../", "a/../a/"],
)
def test_local_listing_walks_only_what_may_match_and_finds_the_same(
    tmp_path: Path, prefix: str
) -> None:
    storage = LocalStorage(tmp_path / "s", public_url="http://x", signing_key=b"k")
    names = ["a/b/c", "a/b/cd", "a/bc/d", "a/b/c/d/e", "ab/x", "b", "a/.x.tmp"]
    for name in names:
        storage.write("bk", name.replace("/c/d/e", "/c2/d/e"), b"1")
    stored = [n.replace("/c/d/e", "/c2/d/e") for n in names if not n.endswith(".tmp")]
    expected = sorted(n for n in stored if n.startswith(prefix) and ".." not in prefix)
    assert storage.list("bk", prefix) == expected


def test_an_order_id_of_dotdot_cannot_replace_the_customers_folder(tmp_path: Path) -> None:
    # An order id `..` made the customer index name `customers/<hash>/..`, which the
    # folder adapter wrote over `customers/` itself: every later order then failed.
    storage = LocalStorage(tmp_path / "s", public_url="http://x", signing_key=b"k")
    with pytest.raises(InvalidName):
        write_indexes(storage, "bk", order("..", "eve@example.com", ("book",), "2026-03-01"))
    write_indexes(storage, "bk", order("o-1", "ada@example.com", ("book",), "2026-03-02"))
    assert (tmp_path / "s" / "bk" / "customers").is_dir()
    assert storage.list("bk", customer_prefix("ada@example.com")) == [
        customer_prefix("ada@example.com") + "o-1"
    ]
