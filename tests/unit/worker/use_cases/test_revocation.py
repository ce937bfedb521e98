"""Refunds of some items, won chargebacks and copies the lifecycle rule deleted, in the worker.

An order of two books (two catalog products, one file each) is bought through
Paddle Billing with two transaction items; each test pushes what Paddle's
notifications become and reads what the embedded adapters wrote.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.codes import read_token
from common.messages import (
    CopyRequested,
    ItemsRefunded,
    LinksRequested,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
    push_envelope,
)
from common.orders import OrderRecord, Status
from common.settings import Settings
from tests.support.pdfs import book
from worker.app import create_app
from worker.customers import OfflineCustomers
from worker.mail._outbox import download_links, read_mail

NOW = 1_750_000_000.0
ORDER = "txn_01twobooks"
SUBSCRIPTION = "projects/p/subscriptions/orders-push"
CATALOG = """
[products.python]
paddle_ids = ["pri_python"]
title = "Practical Python"
files = [{ source = "python.pdf", stamp = true }]

[products.rust]
paddle_ids = ["pri_rust"]
title = "Practical Rust"
files = [{ source = "rust.pdf", stamp = true }]
"""
PAID = OrderPaid(
    ORDER,
    ("paddle:pri_python", "paddle:pri_rust"),
    "evt-paid",
    "2025-06-15T12:00:00Z",
    "paddle",
    "billing",
    customer_id="ctm_01",
    items=(
        PaidItem("txnitm_python", ("paddle:pri_python",)),
        PaidItem("txnitm_rust", ("paddle:pri_rust",)),
    ),
)


def refunded(*items: str, event_id: str = "evt-r1") -> ItemsRefunded:
    return ItemsRefunded(ORDER, items, event_id, "2025-06-20T00:00:00Z", "refund")


def push(client: FlaskClient, message: Any, message_id: str = "m-1") -> int:
    envelope = push_envelope(message, message_id, SUBSCRIPTION)
    return client.post("/pubsub/push", json=envelope).status_code


@pytest.fixture
def two_books(settings: Settings, tmp_path: Path) -> Settings:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG)
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    for name in ("python.pdf", "rust.pdf"):
        (originals / name).write_bytes(book(3))
    return settings.with_overrides(catalog=str(catalog))


@pytest.fixture
def client(two_books: Settings) -> FlaskClient:
    app = create_app(two_books, customers=OfflineCustomers(), clock=lambda: NOW)
    client = app.test_client()
    assert push(client, PAID, "m-paid") == 204
    return client


def stored(settings: Settings, name: str) -> Path:
    return settings.local_data_dir / "storage" / settings.delivery_bucket / name


def record(settings: Settings) -> OrderRecord:
    return OrderRecord.from_json(stored(settings, f"orders/{ORDER}.json").read_bytes())


def mails(settings: Settings) -> list[EmailMessage]:
    return [read_mail(p) for p in sorted((settings.local_data_dir / "outbox").glob("*.eml"))]


def linked_files(mail: EmailMessage, settings: Settings) -> list[int]:
    return [read_token(settings.stamp_secret, u.rsplit("/", 1)[1]).file_index
            for u in download_links(mail)]  # fmt: skip


def dead_letters(settings: Settings) -> list[dict[str, Any]]:
    folder = settings.local_data_dir / "dead-letter"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


class TestItemsRefunded:
    def test_only_the_refunded_books_file_is_revoked(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        python, rust = (stored(two_books, f.object_name) for f in record(two_books).files)
        assert push(client, refunded("txnitm_rust"), "m-r") == 204
        rec = record(two_books)
        assert rec.status == Status.MAILED
        assert [bool(f.revoked_at) for f in rec.files] == [False, True]
        assert python.exists() and not rust.exists()

        assert push(client, refunded("txnitm_rust"), "m-r") == 204  # redelivered: unchanged
        assert record(two_books) == rec

    def test_a_resend_links_only_the_books_still_owned(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        push(client, refunded("txnitm_rust"), "m-r")
        assert push(client, LinksRequested("demo+ctm_01@example.com", "q-1", "t"), "m-q") == 204
        delivery, resent = mails(two_books)
        assert linked_files(delivery, two_books) == [0, 1]
        assert linked_files(resent, two_books) == [0]

    def test_refunding_every_item_revokes_the_order(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        push(client, refunded("txnitm_rust"), "m-r1")
        push(client, refunded("txnitm_python", event_id="evt-r2"), "m-r2")
        rec = record(two_books)
        assert (rec.status, rec.revoked_reason) == (Status.REVOKED, "refund")
        assert not any(stored(two_books, f.object_name).exists() for f in rec.files)

    def test_an_item_the_order_does_not_have_is_kept_for_the_author(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        before = record(two_books)
        assert push(client, refunded("txnitm_unknown"), "m-r") == 204
        [letter] = dead_letters(two_books)
        assert letter["kind"] == "items.refunded" and "txnitm_unknown" in letter["reason"]
        assert record(two_books) == before

    def test_a_refund_before_the_purchase_is_retried(self, two_books: Settings) -> None:
        client = create_app(two_books, customers=OfflineCustomers()).test_client()
        assert push(client, refunded("txnitm_rust")) == 503
        assert not stored(two_books, f"orders/{ORDER}.json").exists()


class TestRestored:
    def test_a_won_chargeback_restores_the_order_and_copies_are_made_again_on_demand(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        push(client, OrderRevoked(ORDER, "evt-cb", "2025-06-20T00:00:00Z", "chargeback"), "m-c")
        assert record(two_books).status == Status.REVOKED
        restore = OrderRestored(ORDER, "evt-cbr", "2025-07-20T00:00:00Z", "chargeback_reverse")
        assert push(client, restore, "m-cr") == 204
        rec = record(two_books)
        assert rec.status == Status.MAILED and rec.deliverable
        assert not any(stored(two_books, f.object_name).exists() for f in rec.files)
        assert push(client, restore, "m-cr") == 204  # redelivered: unchanged
        assert record(two_books) == rec

        assert push(client, LinksRequested("demo+ctm_01@example.com", "q-1", "t"), "m-q") == 204
        rec = record(two_books)
        assert all(stored(two_books, f.object_name).exists() for f in rec.files)
        assert "re-stamped" in rec.history[-1].note
        assert linked_files(mails(two_books)[-1], two_books) == [0, 1]

    def test_a_refund_is_not_undone_by_a_chargeback_reverse(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        push(client, OrderRevoked(ORDER, "evt-rf", "2025-06-20T00:00:00Z", "refund"), "m-rf")
        before = record(two_books)
        restore = OrderRestored(ORDER, "evt-cbr", "2025-07-20T00:00:00Z", "dispute_won")
        assert push(client, restore, "m-cr") == 204
        assert record(two_books) == before

    def test_an_order_revoked_before_its_mail_is_mailed_once_restored(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        mailed = record(two_books)
        unsent = OrderRecord.received(
            at="t", order_id="txn_02", title=mailed.title, buyer_name="Ada",
            buyer_email="ada@example.com", code=mailed.code, files=mailed.files,
        ).stamped(mailed.files, at="t").mail_claimed(now=NOW, at="t")  # fmt: skip
        path = stored(two_books, "orders/txn_02.json")
        path.write_bytes(unsent.revoked(reason="chargeback", at="t").to_json())
        restore = OrderRestored("txn_02", "evt-cbr", "2025-07-20T00:00:00Z", "dispute_won")
        assert push(client, restore, "m-cr") == 204
        assert OrderRecord.from_json(path.read_bytes()).status == Status.MAILED
        assert [m["X-Exlibris-Order"] for m in mails(two_books)] == [ORDER, "txn_02"]

    def test_a_chargeback_before_the_purchase_has_nothing_to_restore(
        self, two_books: Settings
    ) -> None:
        client = create_app(
            two_books, customers=OfflineCustomers(), clock=lambda: NOW
        ).test_client()
        push(client, OrderRevoked(ORDER, "evt-cb", "2025-06-20T00:00:00Z", "chargeback"), "m-c")
        assert push(client, PAID, "m-paid") == 204  # stub: nothing delivered
        restore = OrderRestored(ORDER, "evt-cbr", "2025-07-20T00:00:00Z", "chargeback_reverse")
        assert push(client, restore, "m-cr") == 204  # a stub was never delivered: nothing back
        assert record(two_books).status == Status.REVOKED
        assert mails(two_books) == []


class TestCopyRequested:
    def test_a_deleted_copy_is_stamped_again_once(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        copy = stored(two_books, record(two_books).files[1].object_name)
        original = copy.read_bytes()
        copy.unlink()  # the bucket's lifecycle rule
        ask = CopyRequested(ORDER, 1, "req-1", "2025-08-01T00:00:00Z")
        assert push(client, ask, "m-1") == 204
        assert copy.exists() and copy.read_bytes()[:5] == original[:5] == b"%PDF-"
        rec = record(two_books)
        assert "copy 1 re-stamped" in rec.history[-1].note
        assert rec.status == Status.MAILED
        assert push(client, ask, "m-2") == 204  # present now: nothing more
        assert record(two_books) == rec

    def test_no_copy_is_made_for_a_refunded_file(
        self, client: FlaskClient, two_books: Settings
    ) -> None:
        push(client, refunded("txnitm_rust"), "m-r")
        before = record(two_books)
        assert push(client, CopyRequested(ORDER, 1, "req-1", "t"), "m-1") == 204
        assert not stored(two_books, before.files[1].object_name).exists()
        assert record(two_books) == before

    def test_a_missing_original_is_retried(self, client: FlaskClient, two_books: Settings) -> None:
        rec = record(two_books)
        stored(two_books, rec.files[0].object_name).unlink()
        source = two_books.local_data_dir / "storage" / two_books.source_bucket / "python.pdf"
        source.unlink()
        assert push(client, CopyRequested(ORDER, 0, "req-1", "t")) == 503
