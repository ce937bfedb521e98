"""The order record's transitions, pure: no storage, no Flask, the caller passes the time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from common.orders import DeliveredFile, InvalidTransition, OrderRecord, Status

AT = "2025-06-15T12:00:00Z"
LATER = "2025-07-01T09:00:00Z"


def files(count: int = 2, item_ids: tuple[str, ...] = ("txnitm_a", "txnitm_b")) -> tuple:
    return tuple(
        DeliveredFile(
            f"book-{n}.pdf",
            f"copies/o-1/0{n}-book-{n}.pdf",
            f"book-{n}.pdf",
            True,
            item_id=item_ids[n % len(item_ids)],
        )
        for n in range(count)
    )


def mailed(count: int = 2) -> OrderRecord:
    record = OrderRecord.received(
        at=AT, order_id="o-1", title="Two Books", buyer_name="Ada",
        buyer_email="ada@example.com", code="CODE", files=files(count),
    )  # fmt: skip
    record = record.stamped(record.files, at=AT).mail_claimed(now=1.0, at=AT)
    return record.mailed(provider_id="m-1", at=AT)


def test_refunding_some_files_revokes_only_those() -> None:
    record = mailed().files_revoked((1,), reason="refund", at=LATER)
    assert record.status == Status.MAILED
    assert [f.revoked_at for f in record.files] == ["", LATER]
    assert record.files[1].revoked_reason == "refund"
    assert record.live_files == (0,)
    assert record.history[-1].status == Status.MAILED
    assert "file 1 revoked: refund" in record.history[-1].note


def test_refunding_the_same_files_again_changes_nothing() -> None:
    once = mailed().files_revoked((1,), reason="refund", at=LATER)
    assert once.files_revoked((1,), reason="refund", at="2025-08-01T00:00:00Z") is once


def test_refunding_every_file_revokes_the_order() -> None:
    record = mailed().files_revoked((0, 1), reason="refund", at=LATER)
    assert (record.status, record.revoked_reason, record.revoked_at) == (
        Status.REVOKED,
        "refund",
        LATER,
    )
    assert record.live_files == ()


def test_a_file_index_the_order_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        mailed().files_revoked((2,), reason="refund", at=LATER)


def test_the_files_of_refunded_items_are_found_by_item_id() -> None:
    assert mailed().files_of_items(("txnitm_b", "txnitm_x")) == (1,)


def test_a_won_chargeback_restores_the_status_before_it() -> None:
    record = mailed().revoked(reason="chargeback", at=LATER).restored(at=LATER, note="won")
    assert record.status == Status.MAILED
    assert (record.revoked_at, record.revoked_reason) == ("", "")
    assert [h.status for h in record.history][-2:] == [Status.REVOKED, Status.MAILED]
    assert record.history[-1].note == "won"
    assert record.deliverable


def test_a_restore_keeps_the_files_a_refund_took() -> None:
    record = mailed().files_revoked((1,), reason="refund", at=AT)
    restored = record.revoked(reason="chargeback", at=LATER).restored(at=LATER, note="won")
    assert restored.live_files == (0,)


def test_a_chargeback_before_the_mail_is_restored_to_stamped() -> None:
    record = OrderRecord.received(
        at=AT, order_id="o-1", title="T", buyer_name="Ada", buyer_email="ada@example.com",
        code="C", files=files(1),
    )  # fmt: skip
    claimed = record.stamped(record.files, at=AT).mail_claimed(now=1.0, at=AT)
    restored = claimed.revoked(reason="chargeback", at=LATER).restored(at=LATER, note="won")
    assert restored.status == Status.STAMPED  # nothing was mailed: the claim does not come back


@pytest.mark.parametrize("reason", ["refund", "revoked by the author"])
def test_only_a_chargeback_can_be_restored(reason: str) -> None:
    with pytest.raises(InvalidTransition):
        mailed().revoked(reason=reason, at=LATER).restored(at=LATER, note="won")


def test_a_refund_before_the_purchase_has_nothing_to_restore() -> None:
    stub = OrderRecord.revoked_stub("o-1", at=AT, reason="chargeback")
    with pytest.raises(InvalidTransition):
        stub.restored(at=LATER, note="won")


def test_restoring_a_live_order_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        mailed().restored(at=LATER, note="won")


def test_a_fulfilment_without_a_buyer_waits_and_the_alert_completes_it() -> None:
    waiting = OrderRecord.received(
        at=AT, order_id="o-1", title="T", buyer_name="", buyer_email="", code="C", files=files(1)
    )
    assert waiting.awaiting_buyer
    with pytest.raises(InvalidTransition):
        waiting.stamped(waiting.files, at=AT)
    known = waiting.buyer_resolved(name="Ada", email="ada@example.com", at=LATER)
    assert not known.awaiting_buyer
    assert (known.status, known.buyer_name, known.buyer_email) == (
        Status.RECEIVED,
        "Ada",
        "ada@example.com",
    )
    assert "buyer" in known.history[-1].note
    with pytest.raises(InvalidTransition):
        known.buyer_resolved(name="Eve", email="eve@example.com", at=LATER)


def test_a_remade_copy_is_recorded_with_its_new_generation_and_size() -> None:
    record = mailed()
    new = (record.files[0], replace(record.files[1], source_generation=7, size=99))
    remade = record.copies_remade(new, (1,), at=LATER)
    assert remade.status == Status.MAILED
    assert (remade.files[1].source_generation, remade.files[1].size) == (7, 99)
    assert "copy 1 re-stamped" in remade.history[-1].note


def test_a_revoked_order_gets_no_new_copies() -> None:
    record = mailed().revoked(reason="refund", at=LATER)
    with pytest.raises(InvalidTransition):
        record.copies_remade(record.files, (0,), at=LATER)


def test_new_fields_survive_json_and_old_records_still_read() -> None:
    record = mailed().files_revoked((1,), reason="refund", at=LATER)
    assert OrderRecord.from_json(record.to_json()) == record
    old = b'{"order_id": "o", "status": "mailed", "title": "T", "buyer_name": "A", '
    old += b'"buyer_email": "a@b.co", "code": "C", "created_at": "t", "files": [{"source": "s",'
    old += b' "object_name": "o", "filename": "f", "stamped": true}]}'
    [file] = OrderRecord.from_json(old).files
    assert (file.item_id, file.size, file.revoked_at) == ("", 0, "")
