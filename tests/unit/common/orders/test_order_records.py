"""The order record's newer transitions and fields; update_record on embedded storage."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from common.orders import (
    DeliveredFile,
    InvalidTransition,
    OrderRecord,
    RecordContended,
    Status,
    load_record,
    save_record,
    update_record,
)
from common.settings import Settings
from common.storage import NotFound
from tests.support.shop import local_storage

AT = "2026-03-01T10:00:00Z"
PDF = DeliveredFile("book.pdf", "copies/o-1/00-book.pdf", "book.pdf", True, source_generation=7)
EPUB = DeliveredFile("book.epub", "copies/o-1/01-book.epub", "book.epub", False, 3)
EXTRA = DeliveredFile("bonus.zip", "copies/o-1/02-bonus.zip", "bonus.zip", False, 5)


def mailed_record(**changes: object) -> OrderRecord:
    record = OrderRecord.received(
        at=AT,
        order_id="o-1",
        title="Book",
        buyer_name="Ada",
        buyer_email="ada@example.com",
        code="CODE",
        files=(PDF, EPUB, EXTRA),
        products=("book", "bonus"),
        paddle_ids=("pro_1", "pri_1"),
        source="billing",
        customer_id="ctm_1",
    )
    record = record.stamped(record.files, at=AT).mail_claimed(now=1.0, at=AT)
    return replace(record.mailed(provider_id="m-1", at=AT), **changes)


def test_the_new_fields_survive_a_round_trip_as_tuples() -> None:
    record = mailed_record()
    again = OrderRecord.from_json(record.to_json())
    assert again == record
    assert again.products == ("book", "bonus") and again.paddle_ids == ("pro_1", "pri_1")


def test_a_record_written_before_the_new_fields_still_reads() -> None:
    raw = json.loads(mailed_record().to_json())
    for name in ("products", "paddle_ids", "source", "customer_id", "revoked_by"):
        del raw[name]
    old = OrderRecord.from_json(json.dumps(raw).encode())
    assert (old.products, old.paddle_ids, old.source, old.revoked_by) == ((), (), "", "")


def test_restamped_replaces_the_files_and_notes_it_without_moving_the_status() -> None:
    record = mailed_record()
    newer = (replace(PDF, source_generation=9), EPUB, EXTRA)
    changed = record.restamped(newer, at="2026-04-01T00:00:00Z", note="new edition e1 of book")
    assert changed.files == newer
    assert changed.status == Status.MAILED
    assert changed.history[-1].status == Status.MAILED
    assert changed.history[-1].note == "new edition e1 of book"


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.REVOKED])
def test_only_a_deliverable_order_is_restamped_or_mailed(status: Status) -> None:
    record = mailed_record(status=status)
    with pytest.raises(InvalidTransition):
        record.restamped(record.files, at=AT, note="x")
    with pytest.raises(InvalidTransition):
        record.mail_sent("new-edition", provider_id="m-2", at=AT)


def test_restamped_must_keep_every_file() -> None:
    with pytest.raises(InvalidTransition):
        mailed_record().restamped((PDF,), at=AT, note="x")


def test_mail_sent_appends_a_mail_of_its_kind() -> None:
    record = mailed_record().mail_sent("new-edition", provider_id="m-2", at=AT)
    assert [(m.kind, m.provider_id) for m in record.mails] == [
        ("delivery", "m-1"),
        ("new-edition", "m-2"),
    ]


def test_revoked_records_who_and_why_once() -> None:
    record = mailed_record().revoked(reason="refunded by hand", at=AT, by="author")
    assert (record.status, record.revoked_reason, record.revoked_by) == (
        Status.REVOKED,
        "refunded by hand",
        "author",
    )
    assert record.revoked(reason="again", at="later", by="paddle") == record
    stub = OrderRecord.revoked_stub("o-2", at=AT, reason="refund", by="paddle")
    assert stub.revoked_by == "paddle"


def test_a_corrected_address_is_kept_beside_the_buyers_and_survives_a_round_trip() -> None:
    record = mailed_record().email_corrected(
        email="ada@lovelace.example", reason="typo", by="Jane", at="2026-04-01T00:00:00Z"
    )
    assert (record.buyer_email, record.mail_to) == ("ada@example.com", "ada@lovelace.example")
    assert record.history[-1].status == Status.MAILED
    assert record.history[-1].note == "address corrected to ada@lovelace.example by Jane: typo"
    assert OrderRecord.from_json(record.to_json()) == record
    same = record.email_corrected(email="ada@lovelace.example", reason="r", by="J", at="later")
    assert same == record  # a redelivered request changes nothing
    back = record.email_corrected(email="ada@example.com", reason="it was right", by="", at=AT)
    assert back.mail_to == "ada@example.com" and len(back.email_changes) == 2
    assert mailed_record().mail_to == "ada@example.com"


def test_a_revoked_order_takes_no_corrected_address() -> None:
    with pytest.raises(InvalidTransition):
        mailed_record(status=Status.REVOKED).email_corrected(
            email="ada@lovelace.example", reason="typo", by="Jane", at=AT
        )


def test_files_of_and_copies_current_look_at_the_named_originals_only() -> None:
    record = mailed_record()
    assert record.files_of({"book.pdf", "book.epub"}) == (0, 1)
    assert record.copies_current({"book.pdf": 7, "book.epub": 3})
    assert not record.copies_current({"book.pdf": 8, "book.epub": 3})
    assert record.copies_current({"elsewhere.pdf": 1})  # no file of it: nothing stale


class TestUpdateRecord:
    def test_applies_the_change_under_the_generation(self, settings: Settings) -> None:
        storage = local_storage(settings)
        bucket = settings.delivery_bucket
        save_record(storage, bucket, mailed_record(), 0)
        changed = update_record(
            storage, bucket, "o-1", lambda r: r.mail_sent("x", provider_id="m-9", at=AT)
        )
        assert load_record(storage, bucket, "o-1")[0] == changed
        assert changed.mails[-1].provider_id == "m-9"

    def test_an_unchanged_record_is_not_written(self, settings: Settings) -> None:
        storage = local_storage(settings)
        bucket = settings.delivery_bucket
        generation = save_record(storage, bucket, mailed_record(), 0)
        update_record(storage, bucket, "o-1", lambda r: r)
        assert storage.generation(bucket, "orders/o-1.json") == generation

    def test_a_missing_record_is_not_found(self, settings: Settings) -> None:
        with pytest.raises(NotFound):
            update_record(local_storage(settings), settings.delivery_bucket, "nope", lambda r: r)

    def test_a_writer_that_always_wins_makes_it_contended(self, settings: Settings) -> None:
        storage = local_storage(settings)
        bucket = settings.delivery_bucket
        save_record(storage, bucket, mailed_record(), 0)

        def rival_first(record: OrderRecord) -> OrderRecord:
            current, generation = load_record(storage, bucket, "o-1")
            assert current is not None
            save_record(storage, bucket, replace(current, title=current.title + "!"), generation)
            return record.mail_sent("x", provider_id="lost", at=AT)

        with pytest.raises(RecordContended):
            update_record(storage, bucket, "o-1", rival_first, attempts=3)
        stored = load_record(storage, bucket, "o-1")[0]
        assert stored is not None and stored.title == "Book!!!"
        assert "lost" not in [m.provider_id for m in stored.mails]
