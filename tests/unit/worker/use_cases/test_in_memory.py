"""Every use case against the dict-backed storage: no Flask, no push envelope, no bucket folder.

cosmicpython's tests/unit/test_handlers.py runs each handler against a fake
repository; here the fake is common/storage's MemoryStorage, which passes the
same storage contract suite as the folder and GCS adapters, and the mailer is the
embedded outbox. Each test hands a message to worker.dispatch.handle, the one
entry the push route uses, and reads the outcome back from the order store.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.catalog import parse_catalog
from common.dead_letters import StorageDeadLetters
from common.messages import (
    Buyer,
    ContractError,
    CopyRequested,
    EditionReissued,
    ItemsRefunded,
    LinksRequested,
    Message,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
    PaymentRevoked,
    ResendRequested,
    decode,
    encode,
)
from common.orders import OrderQuery, Status, edition_name
from common.settings import Settings
from common.storage import MemoryStorage
from tests.support.pdfs import book
from worker.bootstrap import build_worker_deps
from worker.deps import WorkerDeps
from worker.dispatch import handle
from worker.mail import OutboxMailer
from worker.mail._outbox import read_mail

AT = "2026-01-01T00:00:00Z"
ADA = Buyer("Ada Lovelace", "ada@example.com")
CATALOG = """
[products.python]
ids = ["paddle:pri_python", "stripe:price_python"]
title = "Python"
files = [{ source = "python.pdf", stamp = true }]

[products.rust]
ids = ["paddle:pri_rust"]
title = "Rust"
files = [{ source = "rust.pdf", stamp = true }]
"""


@pytest.fixture
def deps(settings: Settings, tmp_path: Path) -> WorkerDeps:
    return memory_deps(settings, tmp_path)


def memory_deps(
    settings: Settings,
    tmp_path: Path,
    storage: MemoryStorage | None = None,
    *,
    catalog: str = CATALOG,
    originals: dict[str, bytes] | None = None,
) -> WorkerDeps:
    """The worker on MemoryStorage (this one, else a new one) with the catalog's originals
    (CATALOG's two small PDFs unless given), mailing to tmp_path/outbox."""
    storage = MemoryStorage() if storage is None else storage
    originals = {"python.pdf": book(3), "rust.pdf": book(3)} if originals is None else originals
    for source, data in originals.items():
        storage.write(settings.source_bucket, source, data)
    return build_worker_deps(
        settings,
        storage=storage,
        catalog=parse_catalog(catalog),
        mailer=OutboxMailer(tmp_path / "outbox", sender="books@example.com"),
        dead_letters=StorageDeadLetters(storage, settings.delivery_bucket),
    )


def mails(deps: WorkerDeps, tmp_path: Path) -> list[str]:
    """The recipients of every mail sent, in order."""
    return [read_mail(p)["To"] for p in sorted((tmp_path / "outbox").glob("*.eml"))]


def paid(order_id: str = "txn_1", *products: str, **more: object) -> OrderPaid:
    ids = tuple(f"paddle:{p}" for p in products or ("pri_python",))
    items = tuple(PaidItem(f"item_{p}", (f"paddle:{p}",)) for p in products or ("pri_python",))
    fields = {"buyer": ADA, "items": items, "source": "billing"} | more
    return OrderPaid(order_id, ids, f"evt_{order_id}", AT, "paddle", **fields)


def deliver(deps: WorkerDeps, *messages: Message) -> list[str]:
    return [handle(m, deps) for m in messages]


def test_a_paid_order_is_stamped_stored_indexed_and_mailed_once(
    deps: WorkerDeps, tmp_path: Path
) -> None:
    assert deliver(deps, paid(), paid()) == [Status.MAILED, Status.MAILED]  # a redelivery
    record, _ = deps.orders.load("txn_1")
    assert record is not None and record.status == Status.MAILED
    assert all(deps.orders.has(f.object_name) for f in record.files)
    assert mails(deps, tmp_path) == ["Ada Lovelace <ada@example.com>"]


def test_a_refund_deletes_the_copies_and_revokes(deps: WorkerDeps) -> None:
    deliver(deps, paid(), OrderRevoked("txn_1", "evt_r", AT, "refund"))
    record, _ = deps.orders.load("txn_1")
    assert record is not None and record.status == Status.REVOKED
    assert not any(deps.orders.has(f.object_name) for f in record.files)


def test_a_refund_of_one_item_takes_only_its_book(deps: WorkerDeps) -> None:
    deliver(deps, paid("txn_2", "pri_python", "pri_rust"))
    deliver(deps, ItemsRefunded("txn_2", ("item_pri_rust",), "evt_i", AT, "refund"))
    record, _ = deps.orders.load("txn_2")
    assert record is not None
    assert [(f.source, bool(f.revoked_at)) for f in record.files] == [
        ("python.pdf", False),
        ("rust.pdf", True),
    ]


def test_a_won_chargeback_restores_the_order(deps: WorkerDeps) -> None:
    deliver(deps, paid(), OrderRevoked("txn_1", "evt_c", AT, "chargeback"))
    deliver(deps, OrderRestored("txn_1", "evt_w", AT, "chargeback_reverse"))
    record, _ = deps.orders.load("txn_1")
    assert record is not None and record.status == Status.MAILED


def test_a_copy_the_lifecycle_deleted_is_stamped_again(deps: WorkerDeps) -> None:
    deliver(deps, paid())
    record, _ = deps.orders.load("txn_1")
    assert record is not None
    deps.orders.delete(record.files[0].object_name)
    deliver(deps, CopyRequested("txn_1", 0, "req-1", AT))
    assert deps.orders.has(record.files[0].object_name)


def test_a_resend_and_a_links_request_mail_the_owner_again(
    deps: WorkerDeps, tmp_path: Path
) -> None:
    deliver(deps, paid(), ResendRequested("txn_1", "req-2", AT))
    deliver(deps, LinksRequested("ada@example.com", "req-3", AT))
    deliver(deps, LinksRequested("ada@example.com", "req-3", AT))  # the same request again
    assert mails(deps, tmp_path) == ["Ada Lovelace <ada@example.com>"] * 3


def test_a_stripe_refund_finds_its_order_through_the_payment(deps: WorkerDeps) -> None:
    sale = OrderPaid(
        "stripe-cs_1", ("stripe:price_python",), "evt_s", AT, "stripe",
        buyer=ADA, payment_ref="pi_1",
    )  # fmt: skip
    deliver(deps, sale, PaymentRevoked("stripe", "pi_1", "evt_ref", AT, "refund"))
    record, _ = deps.orders.load("stripe-cs_1")
    assert record is not None and record.status == Status.REVOKED


def test_a_new_edition_is_mailed_once_to_a_buyer_of_the_old_one(
    deps: WorkerDeps, settings: Settings, tmp_path: Path
) -> None:
    deliver(deps, paid())
    deps.storage.write(settings.source_bucket, "python.pdf", book(4))  # the author's fix
    edition = edition_name(
        {"python.pdf": deps.storage.generation(settings.source_bucket, "python.pdf")}
    )
    reissue = EditionReissued("txn_1", "python", edition, "req-4", AT)
    assert deliver(deps, reissue, reissue)[1] == deliver(deps, reissue)[0]
    assert len(mails(deps, tmp_path)) == 2  # the sale's and the new edition's, once


def corrected(request_id: str = "req-5") -> ResendRequested:
    return ResendRequested(
        "txn_1", request_id, AT, to="ada@lovelace.example", reason="typo at checkout",
        requested_by="Jane",
    )  # fmt: skip


def test_a_resend_to_a_corrected_address_mails_it_and_every_later_mail(
    deps: WorkerDeps, settings: Settings, tmp_path: Path
) -> None:
    deliver(deps, paid(), corrected(), corrected())  # the second one: a redelivery
    deliver(deps, ResendRequested("txn_1", "req-6", AT))  # a plain re-send, later
    deliver(deps, LinksRequested("ada@lovelace.example", "req-7", AT))
    deps.storage.write(settings.source_bucket, "python.pdf", book(4))  # a new edition
    edition = edition_name(
        {"python.pdf": deps.storage.generation(settings.source_bucket, "python.pdf")}
    )
    deliver(deps, EditionReissued("txn_1", "python", edition, "req-8", AT))
    new = "Ada Lovelace <ada@lovelace.example>"
    assert mails(deps, tmp_path) == ["Ada Lovelace <ada@example.com>", new, new, new, new]
    record, _ = deps.orders.load("txn_1")
    assert record is not None
    assert (record.buyer_email, record.mail_to) == ("ada@example.com", "ada@lovelace.example")
    [change] = record.email_changes
    assert (change.email, change.reason, change.by) == (
        "ada@lovelace.example",
        "typo at checkout",
        "Jane",
    )
    [note] = [h.note for h in record.history if "corrected" in h.note]
    assert "ada@lovelace.example" in note and "typo at checkout" in note and "Jane" in note


def test_links_asked_by_the_old_address_mail_nothing_after_a_correction(
    deps: WorkerDeps, tmp_path: Path
) -> None:
    deliver(deps, paid(), corrected())
    assert deliver(deps, LinksRequested("ada@example.com", "req-9", AT)) == ["0 mails"]
    assert len(mails(deps, tmp_path)) == 2
    # The author still finds the order by either address.
    for email in ("ada@example.com", "ADA@lovelace.example"):
        assert deps.orders.find(OrderQuery(email=email), today=date(2026, 1, 2)) == ["txn_1"]


@pytest.mark.parametrize(
    "fields",
    [
        {"to": "not an address"},
        {"to": "Ada <ada@example.com>", "reason": "r"},
        {"to": "ada@example.com"},  # no reason
        {"reason": "a reason without an address"},
        {"to": "ada@example.com", "reason": "r" * 201},
    ],
)
def test_a_resend_with_a_bad_correction_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(ContractError):
        ResendRequested("txn_1", "req-1", AT, **fields)


def test_a_resend_of_before_the_correction_fields_still_reads() -> None:
    old = b'{"type": "order.resend-requested", "order_id": "txn_1", "request_id": "r",'
    old += b' "occurred_at": "2026-01-01T00:00:00Z", "version": 2}'
    message = decode(old)
    assert isinstance(message, ResendRequested) and message.to == message.reason == ""
    assert decode(encode(corrected())) == corrected()
