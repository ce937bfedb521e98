"""The worker's use cases through POST /pubsub/push, with every adapter embedded on tmp_path.

Each test posts the push envelopes Pub/Sub would send and asserts on the files
the embedded adapters wrote: mails in the outbox, order records, copies and
indexes in storage, dead letters. Delivering a message again, or many times at
once, must never send a second mail.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.codes import derive_key, make_code, read_token, serial_for
from common.messages import (
    Buyer,
    LinksRequested,
    Message,
    OrderPaid,
    OrderRevoked,
    PaidItem,
    push_envelope,
)
from common.orders import DeliveredFile, OrderRecord, Status
from common.settings import Settings
from common.storage import LocalStorage, TransientStorageError
from stamping.epub.tracing import trace_epub
from tests.corpus.hostile import content_bomb
from worker.app import create_app
from worker.customers import OfflineCustomers
from worker.mail._outbox import plain_text, read_mail

BOOK_PRODUCT = "pro_01demopracticalpython00000"
NOW = 1_750_000_000.0
CLASSIC_ID, PRICE = "552312", "pri_01demopracticalpython00000"
ADA = Buyer(name="Ada Lovelace", email="ada@example.com")
SUBSCRIPTION = "projects/p/subscriptions/orders-push"

CLAIM = Settings().mail_claim_seconds  # the default: 300 s


# --- helpers: build messages, post them, read what the adapters wrote ---


def paid(order_id: str = "552312-1", buyer: Buyer | None = ADA, **changes: Any) -> OrderPaid:
    fields: dict[str, Any] = {
        "order_id": order_id,
        "product_ids": (f"paddle:{CLASSIC_ID}",),
        "event_id": f"evt-{order_id}",
        "occurred_at": "2025-06-15T12:00:00Z",
        "merchant": "paddle",
        "source": "classic",
        "buyer": buyer,
    }
    return OrderPaid(**(fields | changes))


def push(client: FlaskClient, message: Message, message_id: str = "m-1") -> int:
    body = push_envelope(message, message_id, SUBSCRIPTION)
    return client.post("/pubsub/push", json=body).status_code


def outbox(settings: Settings) -> list[EmailMessage]:
    return [read_mail(p) for p in sorted((settings.local_data_dir / "outbox").glob("*.eml"))]


def dead_letters(settings: Settings) -> list[dict[str, Any]]:
    folder = settings.local_data_dir / "dead-letter"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def delivered(settings: Settings, name: str) -> Path:
    return settings.local_data_dir / "storage" / settings.delivery_bucket / name


def record(settings: Settings, order_id: str) -> OrderRecord:
    return OrderRecord.from_json(delivered(settings, f"orders/{order_id}.json").read_bytes())


def links_in(mail: EmailMessage) -> list[str]:
    return [w for w in plain_text(mail).split() if "/d/" in w]


def write_record(settings: Settings, rec: OrderRecord) -> None:
    path = delivered(settings, f"orders/{rec.order_id}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(rec.to_json())


def a_record(settings: Settings, **changes: Any) -> OrderRecord:
    """The record of order 552312-1 for Ada as fulfilment writes it, with changes."""
    rec = OrderRecord(
        order_id="552312-1",
        status=Status.STAMPED,
        title="Practical Python Projects",
        buyer_name="Ada Lovelace",
        buyer_email="ada@example.com",
        code=make_code(settings.stamp_secret, "552312-1"),
        created_at="2025-06-15T12:00:00Z",
        files=(
            DeliveredFile(
                "practical-python.pdf",
                "copies/552312-1/00-practical-python.pdf",
                "practical-python.pdf",
                True,
            ),
        ),
    )
    return replace(rec, **changes)


def deliver_concurrently(app: Flask, message: Message, count: int) -> list[int]:
    """POST the same envelope from `count` threads at once, a test client each; the statuses."""
    statuses: list[int] = []
    start = threading.Barrier(count)

    def deliver() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(push(client, message))

    threads = [threading.Thread(target=deliver) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class RivalStorage(LocalStorage):
    """Embedded storage that runs a rival delivery just before our first mail claim lands."""

    def __init__(self, settings: Settings, rival: Callable[[], None]) -> None:
        super().__init__(
            settings.local_data_dir / "storage",
            public_url=settings.public_url,
            signing_key=derive_key(settings.stamp_secret, "local-url"),
        )
        self.rival: Callable[[], None] | None = rival

    def write(self, bucket: str, name: str, data: bytes, **kwargs: Any) -> int:
        if (
            self.rival
            and name.startswith("orders/")
            and json.loads(data)["status"] == Status.MAILING
        ):
            rival, self.rival = self.rival, None
            rival()
        return super().write(bucket, name, data, **kwargs)


class StorageDownAfterSend(LocalStorage):
    """Embedded storage that stops taking writes once the mail claim is written.

    The mail still goes out, but `mailed` can never be recorded: the state a
    delivery killed between the provider's answer and its last write leaves.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            settings.local_data_dir / "storage",
            public_url=settings.public_url,
            signing_key=derive_key(settings.stamp_secret, "local-url"),
        )
        self.down = False

    def write(self, bucket: str, name: str, data: bytes, **kwargs: Any) -> int:
        if self.down:
            raise TransientStorageError("503 backendError")
        generation = super().write(bucket, name, data, **kwargs)
        self.down = name.startswith("orders/") and json.loads(data)["status"] == Status.MAILING
        return generation


# --- fixtures ---


@pytest.fixture
def app(settings: Settings, originals: Path) -> Flask:
    return create_app(settings, clock=lambda: NOW)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class TestPaidOrder:
    def test_a_classic_order_is_stamped_stored_and_mailed_once(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, paid()) == 204

        [mail] = outbox(settings)
        assert mail["To"] == "Ada Lovelace <ada@example.com>"
        assert mail["Subject"] == "Your copy of Practical Python Projects is ready"
        assert mail["X-Exlibris-Order"] == "552312-1"

        rec = record(settings, "552312-1")
        assert rec.status == "mailed"
        assert rec.mail_id == mail["Message-ID"]
        assert (rec.buyer_name, rec.buyer_email) == ("Ada Lovelace", "ada@example.com")
        assert rec.code == make_code(settings.stamp_secret, "552312-1")
        assert [h.status for h in rec.history] == ["received", "stamped", "mailing", "mailed"]
        assert [m.kind for m in rec.mails] == ["delivery"]

        copy, epub = rec.files
        original = settings.local_data_dir / "storage" / settings.source_bucket
        store = LocalStorage(
            settings.local_data_dir / "storage", public_url=settings.public_url, signing_key=b"k"
        )
        generation = store.generation(settings.source_bucket, copy.source)
        data = delivered(settings, copy.object_name).read_bytes()
        assert copy == DeliveredFile(
            "practical-python.pdf", "copies/552312-1/00-practical-python.pdf",
            "practical-python.pdf", True, source_generation=generation, size=len(data),
        )  # fmt: skip
        assert (original / copy.source).exists()
        original = settings.local_data_dir / "storage/exlibris-originals/practical-python.pdf"
        assert data != original.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == 48
            assert str(pdf.docinfo["/ExLibrisOrder"]) == "552312-1"
            assert str(pdf.docinfo["/ExLibrisCode"]) == rec.code
        assert (epub.object_name, epub.stamped) == (
            "copies/552312-1/01-practical-python.epub",
            True,
        )
        traced = trace_epub(delivered(settings, epub.object_name).read_bytes())
        assert (traced.order_id, traced.code) == ("552312-1", rec.code)  # one code per order

        email_sha = hashlib.sha256(b"ada@example.com").hexdigest()
        assert delivered(settings, f"customers/{email_sha}/552312-1").read_text() == "552312-1"
        serial = serial_for(settings.stamp_secret, "552312-1")
        assert delivered(settings, f"codes/{serial}").read_text() == "552312-1"
        assert dead_letters(settings) == []

    def test_the_mail_carries_a_durable_link_per_file(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        push(client, paid())
        [mail] = outbox(settings)
        links = links_in(mail)
        assert len(links) == 2  # the PDF and the EPUB
        for index, link in enumerate(links):
            assert link.startswith("http://127.0.0.1:8080/d/")
            claim = read_token(settings.stamp_secret, link.rsplit("/", 1)[1])
            assert (claim.order_id, claim.file_index) == ("552312-1", index)
            assert claim.expires == int(NOW) + settings.link_ttl
            assert link in mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
        assert record(settings, "552312-1").code in plain_text(mail)

    def test_a_redelivery_sends_nothing_more(self, client: FlaskClient, settings: Settings) -> None:
        assert push(client, paid(), "m-1") == 204
        first = record(settings, "552312-1")
        assert push(client, paid(), "m-1") == 204
        assert push(client, paid(), "m-2") == 204  # Paddle retried: same order, new message
        assert len(outbox(settings)) == 1
        assert record(settings, "552312-1") == first

    @pytest.mark.parametrize("start", ["new", "stamped"])
    def test_ten_concurrent_deliveries_send_one_mail(
        self, app: Flask, settings: Settings, start: str
    ) -> None:
        if start == "stamped":  # every delivery races for the mail claim at once
            write_record(settings, a_record(settings, status=Status.STAMPED))
        statuses = deliver_concurrently(app, paid(), 10)

        assert len(statuses) == 10
        assert set(statuses) <= {204, 503}, statuses  # 503: another delivery holds the order
        assert 204 in statuses
        assert len(outbox(settings)) == 1
        assert record(settings, "552312-1").status == "mailed"
        # Pub/Sub redelivers the ones that got 503: still one mail.
        client = app.test_client()
        assert all(push(client, paid()) == 204 for s in statuses if s == 503)
        assert len(outbox(settings)) == 1

    def test_a_rival_that_claims_first_wins_and_the_loser_sends_nothing(
        self, settings: Settings, originals: Path
    ) -> None:
        """Deterministic interleaving: a second delivery runs between our read and our claim."""
        rival_statuses: list[int] = []
        storage = RivalStorage(
            settings, lambda: rival_statuses.append(push(app.test_client(), paid(), "m-2"))
        )
        app = create_app(settings, storage=storage, clock=lambda: NOW)
        assert push(app.test_client(), paid(), "m-1") == 204
        assert rival_statuses == [204]
        [mail] = outbox(settings)
        assert record(settings, "552312-1").mail_id == mail["Message-ID"]

    def test_a_billing_order_is_resolved_through_the_customer_lookup(
        self, settings: Settings, originals: Path
    ) -> None:
        client = create_app(settings, customers=OfflineCustomers(), clock=lambda: NOW).test_client()
        message = paid("txn_01hv", buyer=None, customer_id="ctm_01ABC", source="billing",
                       product_ids=(f"paddle:{PRICE}",), merchant="paddle")  # fmt: skip
        assert push(client, message) == 204
        [mail] = outbox(settings)
        assert mail["To"] == '"Demo Buyer (ctm_01ABC)" <demo+ctm_01abc@example.com>'
        rec = record(settings, "txn_01hv")
        assert (rec.status, rec.buyer_email) == ("mailed", "demo+ctm_01abc@example.com")
        email_sha = hashlib.sha256(b"demo+ctm_01abc@example.com").hexdigest()
        assert delivered(settings, f"customers/{email_sha}/txn_01hv").exists()

    def test_a_taken_stamp_serial_gives_the_order_another_code(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        taken = delivered(settings, f"codes/{serial_for(settings.stamp_secret, '552312-1')}")
        taken.parent.mkdir(parents=True, exist_ok=True)
        taken.write_bytes(b"an-earlier-order")

        assert push(client, paid()) == 204
        code = record(settings, "552312-1").code
        assert code == make_code(settings.stamp_secret, "552312-1", attempt=1)
        assert taken.read_bytes() == b"an-earlier-order"  # the earlier copy still verifies
        second = delivered(settings, f"codes/{serial_for(settings.stamp_secret, '552312-1', 1)}")
        assert second.read_bytes() == b"552312-1"


class TestTheWorkersClock:
    """The record's times come from the worker's clock, as its mail claim's do: the stats
    markers are named by those times, so a clock moved to another day counts there."""

    def test_created_and_mailed_at_and_their_stats_days_follow_the_clock(
        self, settings: Settings, originals: Path
    ) -> None:
        then = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
        client = create_app(settings, clock=then.timestamp).test_client()
        assert push(client, paid()) == 204

        rec = record(settings, "552312-1")
        assert (rec.created_at, rec.mailed_at) == ("2025-03-14T15:09:26Z",) * 2
        assert {h.at for h in rec.history} == {"2025-03-14T15:09:26Z"}
        stats = delivered(settings, "stats/2025-03-14")
        assert (stats / "sold/practical-python/552312-1").exists()
        assert (stats / "mailed/practical-python/552312-1").exists()

    def test_a_refund_is_recorded_at_the_clocks_time(
        self, settings: Settings, originals: Path
    ) -> None:
        clock = [datetime(2025, 3, 14, 9, 0, tzinfo=UTC).timestamp()]
        client = create_app(settings, clock=lambda: clock[0]).test_client()
        assert push(client, paid()) == 204
        clock[0] += 86_400
        revoked = OrderRevoked("552312-1", "evt-r", "2025-03-15T09:00:00Z", "refund")
        assert push(client, revoked, "m-2") == 204

        assert record(settings, "552312-1").history[-1].at == "2025-03-15T09:00:00Z"


class TestClassicFulfilmentWithoutEmail:
    """The fulfilment webhook without the email fields, and its payment_succeeded alert."""

    def waiting(self) -> OrderPaid:
        return paid(buyer=None, event_id="fulfilment:552312-1")

    def test_the_order_is_kept_as_received_until_the_alert_names_the_buyer(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, self.waiting(), "m-1") == 204  # acknowledged: no retry loop
        rec = record(settings, "552312-1")
        assert rec.status == Status.RECEIVED and rec.awaiting_buyer
        assert outbox(settings) == []
        assert push(client, self.waiting(), "m-2") == 204  # a redelivery waits too
        assert record(settings, "552312-1").awaiting_buyer

        assert push(client, paid(), "m-3") == 204  # payment_succeeded: same order, a buyer
        [mail] = outbox(settings)
        assert mail["To"] == "Ada Lovelace <ada@example.com>"
        rec = record(settings, "552312-1")
        assert (rec.status, rec.buyer_email) == ("mailed", "ada@example.com")
        assert "payment_succeeded" in " ".join(h.note for h in rec.history)

    def test_when_the_alert_comes_first_the_webhook_changes_nothing(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, paid(), "m-1") == 204
        first = record(settings, "552312-1")
        assert push(client, self.waiting(), "m-2") == 204
        assert len(outbox(settings)) == 1
        assert record(settings, "552312-1") == first

    def test_no_buyer_is_ever_invented(self, settings: Settings, originals: Path) -> None:
        client = create_app(settings, customers=OfflineCustomers(), clock=lambda: NOW).test_client()
        assert push(client, self.waiting()) == 204
        rec = record(settings, "552312-1")
        assert (rec.buyer_name, rec.buyer_email) == ("", "")


class TestBillingItems:
    def test_each_file_remembers_the_transaction_item_that_bought_it(
        self, settings: Settings, originals: Path
    ) -> None:
        client = create_app(settings, customers=OfflineCustomers(), clock=lambda: NOW).test_client()
        message = paid(
            "txn_01items", buyer=None, customer_id="ctm_1", source="billing",
            product_ids=(f"paddle:{PRICE}",), merchant="paddle",
            items=(PaidItem("txnitm_01", (f"paddle:{PRICE}", f"paddle:{BOOK_PRODUCT}")),),
        )  # fmt: skip
        assert push(client, message) == 204
        files = record(settings, "txn_01items").files
        assert [f.filename for f in files] == ["practical-python.pdf", "practical-python.epub"]
        for copy in files:  # both files of the product came with the one item
            assert copy.item_id == "txnitm_01"
            assert copy.size == len(delivered(settings, copy.object_name).read_bytes())


class TestMailClaim:
    def claimed(self, settings: Settings, age: float) -> OrderRecord:
        """A record left in `mailing` by a delivery that claimed the mail `age` seconds ago."""
        rec = a_record(settings, status=Status.MAILING, mail_claimed_at=NOW - age)
        write_record(settings, rec)
        return rec

    @pytest.mark.parametrize("age", [CLAIM, 3600, NOW])
    def test_a_stale_claim_is_taken_over_and_mails_once(
        self, client: FlaskClient, settings: Settings, age: float
    ) -> None:
        self.claimed(settings, age)
        assert push(client, paid()) == 204
        assert push(client, paid()) == 204
        [mail] = outbox(settings)
        rec = record(settings, "552312-1")
        assert (rec.status, rec.mail_id, rec.mail_claimed_at) == ("mailed", mail["Message-ID"], NOW)

    def test_a_stale_claim_whose_mail_went_out_is_recorded_not_mailed_again(
        self, settings: Settings, originals: Path
    ) -> None:
        storage, now = StorageDownAfterSend(settings), [NOW]
        app = create_app(settings, storage=storage, clock=lambda: now[0])
        assert push(app.test_client(), paid()) == 503  # mailed, but not recorded
        [mail] = outbox(settings)
        assert record(settings, "552312-1").status == Status.MAILING
        storage.down, now[0] = False, NOW + CLAIM  # the claim has gone stale
        assert push(app.test_client(), paid(), "m-2") == 204
        assert [m["Message-ID"] for m in outbox(settings)] == [mail["Message-ID"]]
        rec = record(settings, "552312-1")
        assert (rec.status, rec.mail_id) == (Status.MAILED, mail["Message-ID"])

    @pytest.mark.parametrize("age", [0, 10, CLAIM - 1])
    def test_a_fresh_claim_makes_the_delivery_retry_without_mailing(
        self, client: FlaskClient, settings: Settings, age: float
    ) -> None:
        before = self.claimed(settings, age)
        response = client.post("/pubsub/push", json=push_envelope(paid(), "m-1", SUBSCRIPTION))
        assert response.status_code == 503
        assert "being mailed" in response.json["error"]
        assert outbox(settings) == []
        assert record(settings, "552312-1") == before


class TestPermanentFailures:
    def test_an_unknown_product_is_dead_lettered_without_mail(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        message = paid(product_ids=("paddle:pro_not_in_catalog",), merchant="paddle")
        assert push(client, message) == 204
        [letter] = dead_letters(settings)
        assert letter["kind"] == "order.paid"
        assert letter["key"] == "paid:552312-1"
        assert "no catalog product for ids paddle:pro_not_in_catalog" in letter["reason"]
        sent = push_envelope(message, "m-1", SUBSCRIPTION)
        del sent["message"]["publishTime"], letter["payload"]["message"]["publishTime"]
        assert letter["payload"] == sent
        assert outbox(settings) == []
        assert not delivered(settings, "orders/552312-1.json").exists()

    def test_an_original_with_an_open_password_is_dead_lettered(
        self, client: FlaskClient, settings: Settings, originals: Path, sample_book: bytes
    ) -> None:
        with pikepdf.open(io.BytesIO(sample_book)) as pdf:
            out = io.BytesIO()
            pdf.save(out, encryption=pikepdf.Encryption(user="pw", owner="pw"))
        (originals / "practical-python.pdf").write_bytes(out.getvalue())

        assert push(client, paid()) == 204
        [letter] = dead_letters(settings)
        assert "cannot stamp practical-python.pdf" in letter["reason"]
        assert "needs a password to open" in letter["reason"]
        assert outbox(settings) == []
        assert not delivered(settings, "copies/552312-1/00-practical-python.pdf").exists()

    def test_an_original_past_a_limit_is_dead_lettered_naming_it(
        self, client: FlaskClient, settings: Settings, originals: Path
    ) -> None:
        (originals / "practical-python.pdf").write_bytes(content_bomb())  # 1 MB -> 1 GiB

        assert push(client, paid()) == 204
        [letter] = dead_letters(settings)
        assert "cannot stamp practical-python.pdf" in letter["reason"]
        assert "(STAMP_MAX_STREAM)" in letter["reason"]
        assert outbox(settings) == []

    def test_an_epub_holding_a_chapter_twice_is_dead_lettered_naming_it(
        self, client: FlaskClient, settings: Settings, originals: Path, sample_epub: bytes
    ) -> None:
        out = io.BytesIO(sample_epub)
        with zipfile.ZipFile(out) as book:
            opf = next(n for n in book.namelist() if n.endswith(".opf"))
            data = book.read(opf)
        with warnings.catch_warnings(), zipfile.ZipFile(out, "a") as book:
            warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
            book.writestr(opf, data)  # a second, unstamped copy of the OPF
        (originals / "practical-python.epub").write_bytes(out.getvalue())

        assert push(client, paid(product_ids=(f"paddle:{PRICE}",), merchant="paddle")) == 204
        [letter] = dead_letters(settings)
        assert "cannot stamp practical-python.epub" in letter["reason"]
        assert f"holds {opf} twice" in letter["reason"]
        assert outbox(settings) == []

    @pytest.mark.parametrize(
        "body",
        [
            b"not json",
            b"{}",
            b'{"message": {"data": "%%%"}}',
            json.dumps({"message": {"data": "eyJ0eXBlIjogWyJ4Il19"}}).encode(),  # {"type": ["x"]}
            json.dumps({"message": {"data": "eyJ0eXBlIjogIm9yZGVyLnBhaWQifQ=="}}).encode(),
        ],
        ids=["not-json", "no-message", "not-base64", "unhashable-type", "paid-without-version"],
    )
    def test_a_malformed_envelope_is_acknowledged_and_dead_lettered(
        self, client: FlaskClient, settings: Settings, body: bytes
    ) -> None:
        response = client.post("/pubsub/push", data=body, content_type="application/json")
        assert response.status_code == 204
        [letter] = dead_letters(settings)
        assert letter["kind"] == "malformed-push"
        assert letter["payload"] == {"body": body.decode()}
        assert outbox(settings) == []


class TestMissingOriginal:
    def test_a_missing_original_is_retried_until_it_is_uploaded(
        self, client: FlaskClient, settings: Settings, originals: Path, sample_book: bytes
    ) -> None:
        (originals / "practical-python.pdf").unlink()
        response = client.post("/pubsub/push", json=push_envelope(paid(), "m-1", SUBSCRIPTION))
        assert response.status_code == 503
        assert "practical-python.pdf is missing" in response.json["error"]
        assert outbox(settings) == []
        assert dead_letters(settings) == []
        assert record(settings, "552312-1").status == "received"

        (originals / "practical-python.pdf").write_bytes(sample_book)  # the author uploads it
        assert push(client, paid()) == 204
        assert len(outbox(settings)) == 1
        assert record(settings, "552312-1").status == "mailed"


class TestRevocation:
    def test_a_refund_revokes_the_order_and_deletes_its_copies(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, paid()) == 204
        copy = delivered(settings, "copies/552312-1/00-practical-python.pdf")
        assert copy.exists()

        refund = OrderRevoked("552312-1", "evt-r", "2025-06-16T00:00:00Z", "refund")
        assert push(client, refund, "m-2") == 204
        rec = record(settings, "552312-1")
        assert (rec.status, rec.revoked_reason) == ("revoked", "refund")
        assert rec.revoked_at
        assert not copy.exists()

        assert push(client, refund, "m-2") == 204  # redelivered refund: unchanged
        assert record(settings, "552312-1") == rec
        assert push(client, paid(), "m-3") == 204  # a late purchase message
        assert len(outbox(settings)) == 1
        assert record(settings, "552312-1") == rec
        assert not copy.exists()

    def test_a_copy_written_while_a_refund_landed_is_deleted_by_the_redelivery(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        # The refund revoked the record between our stamping and our save: the
        # copy we wrote is still there, and the save lost its precondition.
        write_record(settings, a_record(settings, status="revoked", revoked_reason="refund"))
        copy = delivered(settings, "copies/552312-1/00-practical-python.pdf")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(b"%PDF-1.7 a stamped copy")

        assert push(client, paid()) == 204
        assert not copy.exists()
        assert outbox(settings) == []

    def test_a_refund_before_the_purchase_leaves_nothing_to_deliver(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        refund = OrderRevoked("552312-1", "evt-r", "2025-06-16T00:00:00Z", "chargeback")
        assert push(client, refund, "m-1") == 204
        assert push(client, paid(), "m-2") == 204
        assert outbox(settings) == []
        rec = record(settings, "552312-1")
        assert (rec.status, rec.revoked_reason, rec.files) == ("revoked", "chargeback", ())
        assert not delivered(settings, "copies").exists()


class TestLinksRequested:
    @pytest.fixture
    def orders(self, client: FlaskClient, settings: Settings) -> None:
        """Two orders for Ada, one for Bob, all mailed."""
        for order_id, buyer in [
            ("552312-1", ADA),
            ("552312-2", ADA),
            ("552312-3", Buyer("Bob", "bob@example.com")),
        ]:
            assert push(client, paid(order_id, buyer), f"m-{order_id}") == 204
        assert len(outbox(settings)) == 3

    def resent(self, settings: Settings) -> list[EmailMessage]:
        return [m for m in outbox(settings) if m["X-Exlibris-Category"] == "links-resent"]

    @pytest.mark.usefixtures("orders")
    def test_each_live_order_gets_one_mail_to_its_own_address(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, LinksRequested(" ADA@Example.com ", "req-1", "t"), "m-r") == 204
        mails = self.resent(settings)
        assert sorted(m["X-Exlibris-Order"] for m in mails) == ["552312-1", "552312-2"]
        assert {m["To"] for m in mails} == {"Ada Lovelace <ada@example.com>"}
        assert all(m["Subject"] == "Fresh download links for Practical Python Projects"
                   for m in mails)  # fmt: skip
        for mail in mails:
            for link in links_in(mail):  # one per file: the PDF and the EPUB
                claim = read_token(settings.stamp_secret, link.rsplit("/", 1)[1])
                assert claim.order_id == mail["X-Exlibris-Order"]

    @pytest.mark.usefixtures("orders")
    def test_a_redelivered_request_sends_nothing(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, LinksRequested("ada@example.com", "req-1", "t"), "m-r") == 204
        assert push(client, LinksRequested("ada@example.com", "req-1", "t"), "m-r") == 204
        assert len(self.resent(settings)) == 2
        assert push(client, LinksRequested("ada@example.com", "req-2", "t"), "m-s") == 204
        assert len(self.resent(settings)) == 4  # a new request is served again

    @pytest.mark.usefixtures("orders")
    def test_an_address_without_orders_gets_nothing(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        assert push(client, LinksRequested("eve@example.com", "req-1", "t"), "m-r") == 204
        assert self.resent(settings) == []
        assert len(outbox(settings)) == 3

    @pytest.mark.usefixtures("orders")
    def test_a_revoked_order_gets_no_fresh_links(
        self, client: FlaskClient, settings: Settings
    ) -> None:
        refund = OrderRevoked("552312-1", "evt-r", "t", "refund")
        assert push(client, refund, "m-x") == 204
        assert push(client, LinksRequested("ada@example.com", "req-1", "t"), "m-r") == 204
        assert [m["X-Exlibris-Order"] for m in self.resent(settings)] == ["552312-2"]
