"""Dead letters read back: every shape the service, the worker and the local publisher write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.dead_letters import FolderDeadLetters, LetterNotFound, StorageDeadLetters
from common.dead_letters._format import parse_letter
from common.messages import (
    Buyer,
    KindleRequested,
    LinksRequested,
    OrderPaid,
    encode,
    push_envelope,
)
from common.settings import Settings
from tests.support.shop import local_storage

PAID = OrderPaid(
    order_id="552312-7",
    product_ids=("paddle:999",),
    merchant="paddle",
    event_id="evt-7",
    occurred_at="2026-01-01T00:00:00Z",
    source="classic",
    buyer=Buyer("Ada", "ada@example.com"),
)
ENVELOPE = push_envelope(PAID, "m-7", "projects/p/subscriptions/orders-push")


def test_the_services_unknown_product_letter_replays_its_order(tmp_path: Path) -> None:
    letters = FolderDeadLetters(tmp_path)
    letters.record(
        "unknown-product", PAID.order_id, "no product", {"message": json.loads(encode(PAID))}
    )
    [letter] = letters.letters()
    assert (letter.kind, letter.origin, letter.order_id) == (
        "unknown-product",
        "service",
        "552312-7",
    )
    assert letter.reason == "no product" and letter.at
    assert letter.data is not None and json.loads(letter.data) == json.loads(encode(PAID))


def test_the_workers_permanent_failure_holds_the_push_envelope(tmp_path: Path) -> None:
    letters = FolderDeadLetters(tmp_path)
    letters.record(PAID.TYPE, PAID.idempotency_key, "cannot stamp", ENVELOPE)
    [letter] = letters.letters()
    assert (letter.kind, letter.origin, letter.order_id) == ("order.paid", "worker", "552312-7")
    assert letter.data == encode(PAID)


def test_a_kindle_request_the_worker_gave_up_on_keeps_no_address(tmp_path: Path) -> None:
    """Issue 23: the address lives masked in the mail's log entry only; the buyer sends again."""
    request = KindleRequested("552312-7", 1, "ada_lovelace@kindle.com", "r" * 16, "2026-01-01")
    envelope = push_envelope(request, "m-8", "projects/p/subscriptions/orders-push")
    letters = FolderDeadLetters(tmp_path)
    letters.record(request.TYPE, request.idempotency_key, "550 mailbox unavailable", envelope)
    assert "ada_lovelace" not in "".join(p.read_text() for p in tmp_path.iterdir())
    [letter] = letters.letters()
    assert (letter.kind, letter.order_id, letter.replayable) == (
        "kindle.requested",
        "552312-7",
        False,
    )


def test_the_local_publishers_exhausted_delivery_is_a_bare_envelope(tmp_path: Path) -> None:
    body = {**ENVELOPE, "deliveryAttempt": 5, "deadLetterReason": "worker answered 503"}
    (tmp_path / "1700000000000000000-m7.json").write_text(json.dumps(body))
    [letter] = FolderDeadLetters(tmp_path).letters()
    assert letter.id == "1700000000000000000-m7"
    assert (letter.kind, letter.origin, letter.reason) == (
        "undelivered",
        "publisher",
        "worker answered 503",
    )
    assert letter.data == encode(PAID) and letter.order_id == "552312-7"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"not json", "unreadable"),
        (b"[1, 2]", "unreadable"),
        (
            json.dumps({"kind": "malformed-push", "payload": {"body": "{"}}).encode(),
            "malformed-push",
        ),
        (json.dumps({"message": {"data": "!!not base64"}}).encode(), "undelivered"),
    ],
)
def test_a_letter_without_a_message_is_listed_but_not_replayable(raw: bytes, kind: str) -> None:
    letter = parse_letter("x", raw)
    assert letter.kind == kind
    assert not letter.replayable and letter.order_id == ""


def test_a_letter_about_no_order_names_none() -> None:
    links = LinksRequested("ada@example.com", "r-1", "now")
    letter = parse_letter("x", json.dumps(push_envelope(links, "m", "s")).encode())
    assert letter.replayable and letter.order_id == ""


def test_archiving_sets_a_letter_aside_in_replayed(tmp_path: Path) -> None:
    letters = FolderDeadLetters(tmp_path)
    letters.record(PAID.TYPE, PAID.idempotency_key, "r", ENVELOPE)
    [letter] = letters.letters()
    letters.archive(letter.id)
    assert letters.letters() == []
    assert (tmp_path / "replayed" / f"{letter.id}.json").is_file()
    with pytest.raises(LetterNotFound):
        letters.archive(letter.id)


@pytest.mark.parametrize("letter_id", ["../outside", "replayed/x", ".hidden", ""])
def test_an_id_cannot_reach_outside_the_folder(tmp_path: Path, letter_id: str) -> None:
    (tmp_path / "letters").mkdir()
    (tmp_path / "outside.json").write_text("{}")
    with pytest.raises(LetterNotFound):
        FolderDeadLetters(tmp_path / "letters").archive(letter_id)
    assert (tmp_path / "outside.json").exists()


def test_the_bucket_letters_list_and_archive_alike(settings: Settings) -> None:
    storage = local_storage(settings)
    letters = StorageDeadLetters(storage, settings.delivery_bucket)
    letters.record(
        "unknown-product", PAID.order_id, "no product", {"message": json.loads(encode(PAID))}
    )
    letters.record(PAID.TYPE, PAID.idempotency_key, "cannot stamp", ENVELOPE)
    found = letters.letters()
    assert [letter.kind for letter in found] == ["unknown-product", "order.paid"]
    letters.archive(found[0].id)
    assert [letter.kind for letter in letters.letters()] == ["order.paid"]
    assert storage.list(settings.delivery_bucket, "dead-letters/replayed/") == [
        f"dead-letters/replayed/{found[0].id}.json"
    ]
    with pytest.raises(LetterNotFound):
        letters.archive("../orders/x")


@pytest.mark.parametrize("where", ["folder", "bucket"])
def test_a_letter_is_read_by_its_id(settings: Settings, tmp_path: Path, where: str) -> None:
    letters = (
        FolderDeadLetters(tmp_path)
        if where == "folder"
        else StorageDeadLetters(local_storage(settings), settings.delivery_bucket)
    )
    letters.record(PAID.TYPE, PAID.idempotency_key, "cannot stamp", ENVELOPE)
    [listed] = letters.letters()
    assert letters.read(listed.id) == listed
    for unknown in ("1-nope", "../x", ""):
        with pytest.raises(LetterNotFound):
            letters.read(unknown)


@pytest.mark.parametrize("where", ["folder", "bucket"])
def test_forget_deletes_the_letters_picked_replayed_ones_too(
    settings: Settings, tmp_path: Path, where: str
) -> None:
    storage = local_storage(settings)
    letters: FolderDeadLetters | StorageDeadLetters = (
        FolderDeadLetters(tmp_path)
        if where == "folder"
        else StorageDeadLetters(storage, settings.delivery_bucket)
    )
    letters.record(PAID.TYPE, PAID.idempotency_key, "cannot stamp", ENVELOPE)
    letters.archive(letters.letters()[0].id)  # replayed once, kept aside
    letters.record(PAID.TYPE, PAID.idempotency_key, "cannot stamp again", ENVELOPE)
    other = LinksRequested("bob@example.com", "req-9", "2026-01-01T00:00:00Z")
    letters.record(
        other.TYPE, other.idempotency_key, "gave up", {"message": json.loads(encode(other))}
    )
    assert letters.forget(lambda letter: b"ada@example.com" in (letter.data or b"")) == 2
    assert [letter.kind for letter in letters.letters()] == ["links.requested"]
    assert letters.forget(lambda letter: letter.order_id == PAID.order_id) == 0
