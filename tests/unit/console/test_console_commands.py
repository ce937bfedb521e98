"""`exlibris` commands against a shop in one process: what they print, publish and cause.

The console publishes into the worker app (tests/support/inline_publisher.py),
so each test sees the worker's result in storage and the outbox, as an author
would after the command returns.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rich.console import Console

from common.messages import OrderRevoked, ResendRequested, parse_envelope
from common.orders import Status, load_record, write_indexes
from common.settings import Settings
from tests.conftest import SAMPLE_CATALOG
from tests.support.http_standin import HttpStandIn, Recorded, Reply
from tests.support.paddle_payloads import billing_transaction_completed
from tests.support.shop import Shop

SUMMARY_KEYS = {
    "order_id", "status", "created_at", "buyer_name", "buyer_email", "products", "title",
    "mailed_at", "downloads", "revoked_at",
}  # fmt: skip
DETAIL_KEYS = {
    "order_id", "status", "title", "products", "paddle_ids", "source", "customer_id",
    "buyer_name", "buyer_email", "code", "created_at", "mailed_at", "revoked_at",
    "revoked_reason", "revoked_by", "history", "files", "mails", "dead_letters", "merchant",
    "product_ids", "mail_to", "email_changes", "note", "erased_at", "erased_by", "imprint",
}  # fmt: skip
UNKNOWN_PRICE, UNKNOWN_PRODUCT = "pri_01unknownbook000000000000", "pro_01unknownbook000000000000"


def three_orders(shop: Shop) -> None:
    shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
    shop.buy("552312-2", "bob@example.com", "Bob Byte")
    shop.buy("552312-3", "Ada@Example.com", "Ada Lovelace")


def counted(shop: Shop, order_id: str, downloads: int) -> None:
    shop.storage.write(shop.settings.delivery_bucket, f"downloads/{order_id}/0", b"%d" % downloads)


class TestOrders:
    def test_the_json_list_names_each_order_with_the_buyer_masked(self, shop: Shop) -> None:
        three_orders(shop)
        counted(shop, "552312-2", 3)
        ran = shop.console("orders", "--json")
        assert ran.status == 0, ran.err
        rows = json.loads(ran.out)
        assert [r["order_id"] for r in rows] == ["552312-1", "552312-2", "552312-3"]
        assert all(set(r) == SUMMARY_KEYS for r in rows)
        bob = rows[1]
        assert (bob["status"], bob["downloads"], bob["products"]) == (
            "mailed",
            3,
            ["practical-python"],
        )
        assert (bob["buyer_name"], bob["buyer_email"]) == ("B*** B***", "b***@e***.com")
        shown = json.loads(shop.console("orders", "--json", "--show-buyers").out)
        assert shown[1]["buyer_email"] == "bob@example.com"

    def test_filters_narrow_through_the_indexes(self, shop: Shop) -> None:
        three_orders(shop)
        by_email = json.loads(shop.console("orders", "--json", "--email", " ADA@example.COM").out)
        assert [r["order_id"] for r in by_email] == ["552312-1", "552312-3"]
        shop.console("revoke", "552312-3", "--reason", "refund")
        revoked = shop.console(
            "orders", "--json", "--email", "ada@example.com", "--status", "revoked"
        )
        assert [r["order_id"] for r in json.loads(revoked.out)] == ["552312-3"]
        product = json.loads(shop.console("orders", "--json", "--product", "practical-python").out)
        assert len(product) == 3
        assert json.loads(shop.console("orders", "--json", "--product", "other").out) == []
        assert json.loads(shop.console("orders", "--json", "--since", "2999-01-01").out) == []
        assert len(json.loads(shop.console("orders", "--json", "--since", "2020-01-01").out)) == 3
        newest = json.loads(shop.console("orders", "--json", "--limit", "1").out)
        assert [r["order_id"] for r in newest] == ["552312-3"]

    def test_the_table_has_a_line_per_order(self, shop: Shop) -> None:
        three_orders(shop)
        ran = shop.console("orders")
        assert ran.status == 0
        lines = [line for line in ran.out.splitlines() if "552312-" in line]
        assert len(lines) == 3
        assert "B*** B*** <b***@e***.com>" in lines[1] and "mailed" in lines[1]
        assert "bob@example.com" not in ran.out
        assert ran.out.rstrip().endswith("3 orders")

    def test_piped_every_order_id_is_printed_whole(self, shop: Shop) -> None:
        # Into a pipe rich fitted the table to 80 columns and cut the ids with "…".
        ids = ["txn_01hv8xq2m3k4n5p6r7s8t9v0w1", "txn_01hv8xq2m3k4n5p6r7s8t9v0w2"]
        for order_id in ids:
            shop.buy(order_id, "ada.lovelace@analytical-engines.example", "Ada King Lovelace")
        piped = io.StringIO()
        ran = shop.console("orders", "--show-buyers", out=Console(file=piped, width=40))
        assert ran.status == 0, ran.err
        rows = [line.split() for line in piped.getvalue().splitlines()]
        assert [row[0] for row in rows if row and row[0].startswith("txn_")] == ids
        assert "ada.lovelace@analytical-engines.example" in piped.getvalue()

    def test_a_terminal_gets_the_table_fitted_to_its_width(self, shop: Shop) -> None:
        shop.buy("txn_01hv8xq2m3k4n5p6r7s8t9v0w1")
        screen = io.StringIO()
        terminal = Console(file=screen, width=40, force_terminal=True, color_system=None)
        assert shop.console("orders", out=terminal).status == 0
        assert max(len(line) for line in screen.getvalue().splitlines()) <= 40


class TestOrder:
    def test_the_json_object_holds_the_whole_record(self, shop: Shop) -> None:
        shop.buy("552312-1")
        counted(shop, "552312-1", 2)
        ran = shop.console("order", "552312-1", "--json")
        assert ran.status == 0, ran.err
        view = json.loads(ran.out)
        assert set(view) == DETAIL_KEYS
        record = shop.record("552312-1")
        assert (view["order_id"], view["status"], view["code"]) == (
            "552312-1",
            "mailed",
            record.code,
        )
        assert view["buyer_email"] == "ada@example.com"
        assert [h["status"] for h in view["history"]] == [
            "received",
            "stamped",
            "mailing",
            "mailed",
        ]
        copy, epub = view["files"]  # the sample product: a PDF and an EPUB, each counted
        assert (copy["filename"], copy["downloads"]) == ("practical-python.pdf", 2)
        assert (epub["filename"], epub["downloads"]) == ("practical-python.epub", 0)
        assert copy["source_generation"] == record.files[0].source_generation
        assert [(m["kind"], m["provider_id"]) for m in view["mails"]] == [
            ("delivery", record.mail_id)
        ]
        assert view["dead_letters"] == []

    def test_the_dead_letters_of_the_order_are_shown(self, shop: Shop) -> None:
        assert (
            shop.webhook(
                billing_transaction_completed(
                    "txn_01stray", "ctm_1", [UNKNOWN_PRICE], [UNKNOWN_PRODUCT]
                )
            )
            == 200
        )
        shop.buy("txn_01stray")  # the same id, delivered some other way, so a record exists
        view = json.loads(shop.console("order", "txn_01stray", "--json").out)
        [letter] = view["dead_letters"]
        assert (letter["kind"], letter["origin"]) == ("unknown-product", "service")

    def test_the_text_view_shows_each_section(self, shop: Shop) -> None:
        shop.buy("552312-1")
        ran = shop.console("order", "552312-1")
        for heading in ("history", "files", "mails", "dead letters: none"):
            assert heading in ran.out
        assert "ada@example.com" in ran.out


class WorkerStandIn(HttpStandIn):
    """An embedded worker that is up and takes every push without doing it."""

    def respond(self, request: Recorded) -> Reply:
        return Reply(200 if request.path == "/healthz" else 204)


class TestResendAndRevoke:
    def test_resend_mails_the_orders_own_address_once(self, shop: Shop) -> None:
        shop.buy("552312-1")
        ran = shop.console("resend", "552312-1")
        assert ran.status == 0, ran.err
        delivery, again = shop.mails()
        assert again["To"] == delivery["To"] == "Ada Lovelace <ada@example.com>"
        assert again["Subject"].startswith("Fresh download links")
        assert f"(mail {again['Message-ID']})" in ran.out

    def test_resend_to_a_corrected_address_mails_it_now_and_later(self, shop: Shop) -> None:
        shop.buy("552312-1")
        ran = shop.console(
            "resend", "552312-1", "--to", "ada@lovelace.example", "--reason", "typo", "--by", "Jane"
        )
        assert ran.status == 0, ran.err
        assert "to ada@lovelace.example" in ran.out
        assert shop.console("resend", "552312-1").status == 0  # a plain re-send, later
        _, corrected, again = shop.mails()
        assert corrected["To"] == again["To"] == "Ada Lovelace <ada@lovelace.example>"
        shown = shop.console("order", "552312-1", "--json")
        view = json.loads(shown.out)
        assert (view["buyer_email"], view["mail_to"]) == ("ada@example.com", "ada@lovelace.example")
        [change] = view["email_changes"]
        assert (change["email"], change["reason"], change["by"]) == (
            "ada@lovelace.example",
            "typo",
            "Jane",
        )
        assert any("typo" in h["note"] and "Jane" in h["note"] for h in view["history"])
        text = shop.console("order", "552312-1")
        assert "address changes" in text.out

    def test_a_bad_correction_is_a_usage_error_and_publishes_nothing(self, shop: Shop) -> None:
        shop.buy("552312-1")
        for argv in (
            ("--to", "not an address", "--reason", "typo"),
            ("--to", "ada@lovelace.example"),
            ("--to", "ada@lovelace.example", "--reason", "  "),
            ("--reason", "typo"),
            ("--to", "ada@lovelace.example", "--reason", "r" * 201),
        ):
            ran = shop.console("resend", "552312-1", *argv)
            assert ran.status == 2, (argv, ran.err)
            assert ran.err.startswith("exlibris: ") and ran.err.count("\n") == 1, ran.err
        assert len(shop.mails()) == 1
        assert not shop.record("552312-1").email_changes
        assert not shop.storage.list(shop.settings.delivery_bucket, "requests/")

    def test_revoke_does_what_a_refund_does_and_says_who_and_why(self, shop: Shop) -> None:
        shop.buy("552312-1")
        copy = shop.record("552312-1").files[0].object_name
        ran = shop.console("revoke", "552312-1", "--reason", "refunded by hand", "--by", "Jane")
        assert ran.status == 0, ran.err
        record = shop.record("552312-1")
        assert (record.status, record.revoked_reason, record.revoked_by) == (
            Status.REVOKED,
            "refunded by hand",
            "Jane",
        )
        assert not shop.storage.list(shop.settings.delivery_bucket, copy)
        again = shop.console("revoke", "552312-1", "--reason", "twice")
        assert again.status == 0 and "revoked already" in again.out
        assert shop.record("552312-1").revoked_reason == "refunded by hand"

    def test_restore_takes_a_chargeback_back_and_nothing_else(self, shop: Shop) -> None:
        shop.buy("552312-1")
        shop.buy("552312-2")
        lost = OrderRevoked("552312-1", "evt-cb", "2026-01-02T00:00:00Z", reason="chargeback")
        assert shop.publisher.publish(lost)
        shop.console("revoke", "552312-2", "--reason", "refunded by hand")
        ran = shop.console("restore", "552312-1", "--reason", "dispute won")
        assert ran.status == 0, ran.err
        assert "restored 552312-1" in ran.out
        record = shop.record("552312-1")
        assert (record.status, record.revoked_reason) == (Status.MAILED, "")
        refused = shop.console("restore", "552312-2", "--reason", "dispute won")
        assert refused.status == 1 and "only a chargeback" in refused.err
        assert shop.record("552312-2").status == Status.REVOKED
        assert shop.console("restore", "552312-1", "--reason", " ").status == 1

    def test_an_action_the_worker_has_not_confirmed_in_time_is_an_error(self, shop: Shop) -> None:
        shop.buy("552312-1")
        shop.publisher.attempts = 0  # the worker never gets it, as if it were down
        ran = shop.console("resend", "552312-1", "--wait", "0.2")
        assert ran.status == 1
        assert "published but not done within 0.2 s" in ran.err
        assert shop.console("resend", "552312-1", "--wait", "0").status == 0

    def test_the_embedded_publisher_pushes_to_the_worker_after_port(self, shop: Shop) -> None:
        # `make run` with PORT=P puts the worker on P+1; the console read 8081 whatever PORT said.
        shop.buy("552312-1")
        with WorkerStandIn() as worker:
            worker_port = int(worker.url.rsplit(":", 1)[1])
            shop.settings = Settings.from_env(
                {
                    "PORT": str(worker_port - 1),
                    "LOCAL_DATA_DIR": str(shop.settings.local_data_dir),
                    "CATALOG": str(SAMPLE_CATALOG),
                }
            )
            ran = shop.console("resend", "552312-1", "--wait", "0", publisher=None)
        assert ran.status == 0, ran.err
        [push] = [r for r in worker.requests if r.path == "/pubsub/push"]
        message = parse_envelope(push.json()).message
        assert isinstance(message, ResendRequested) and message.order_id == "552312-1"


class TestExport:
    def test_one_row_per_order_with_the_columns_paddle_can_be_checked_against(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        three_orders(shop)
        shop.buy("552312-4", "eve@example.com", '=HYPERLINK("http://evil")')
        shop.console("revoke", "552312-2", "--reason", "chargeback")
        counted(shop, "552312-1", 4)
        target = tmp_path / "orders.csv"
        ran = shop.console("export", "--csv", str(target))
        assert ran.status == 0 and "wrote 4 orders" in ran.out
        rows = list(csv.DictReader(io.StringIO(target.read_text())))
        assert list(rows[0]) == [
            "order_id", "paddle_ids", "customer_id", "product", "buyer_name", "buyer_email",
            "code", "status", "created_at", "mailed_at", "downloads", "revoked_at",
            "revoked_reason", "revoked_by", "merchant",
        ]  # fmt: skip
        first, second, _, evil = rows
        assert {row["merchant"] for row in rows} == {"paddle"}
        assert (first["order_id"], first["paddle_ids"], first["product"]) == (
            "552312-1",
            "552312",
            "practical-python",
        )
        assert (first["buyer_name"], first["buyer_email"], first["downloads"]) == (
            "Ada Lovelace",
            "ada@example.com",
            "4",
        )
        assert first["code"] == shop.record("552312-1").code and first["mailed_at"]
        assert (second["status"], second["revoked_reason"], second["revoked_by"]) == (
            "revoked",
            "chargeback",
            "author",
        )
        assert second["revoked_at"]
        assert evil["buyer_name"] == '\'=HYPERLINK("http://evil")'

    def test_a_dash_writes_to_stdout(self, shop: Shop) -> None:
        shop.buy("552312-1")
        ran = shop.console("export", "--csv", "-")
        assert ran.out.splitlines()[0].startswith("order_id,paddle_ids")
        assert len(ran.out.splitlines()) == 2


class TestDeadLettersAndReplay:
    def test_an_unknown_product_is_listed_refused_until_fixed_then_mailed_once(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        payload = billing_transaction_completed(
            "txn_01late", "ctm_1", [UNKNOWN_PRICE], [UNKNOWN_PRODUCT]
        )
        assert shop.webhook(payload) == 200
        [letter] = json.loads(shop.console("dead-letters", "--json").out)
        assert set(letter) == {"id", "kind", "order_id", "reason", "at", "origin", "replayable"}
        assert (letter["kind"], letter["order_id"], letter["replayable"]) == (
            "unknown-product",
            "txn_01late",
            True,
        )
        refused = shop.console("replay", letter["id"])
        assert refused.status == 1 and "still no catalog product" in refused.err

        catalog = tmp_path / "catalog.toml"
        catalog.write_text(
            SAMPLE_CATALOG.read_text()
            + f'\n[products.late-book]\npaddle_ids = ["{UNKNOWN_PRICE}"]\ntitle = "Late Book"\n'
            + 'files = [{ source = "practical-python.pdf", stamp = true }]\n'
        )
        fixed = shop.restarted(catalog=str(catalog))
        ran = fixed.console("replay", letter["id"])
        assert ran.status == 0, ran.err
        assert "replayed 1 of 1 letters" in ran.out
        [mail] = fixed.mails()
        assert mail["X-Exlibris-Order"] == "txn_01late"
        assert json.loads(fixed.console("dead-letters", "--json").out) == []
        assert fixed.console("replay", letter["id"]).status == 1  # archived: gone from the list
        assert fixed.console("replay", "--all").out.strip() == "replayed 0 of 0 letters"
        record = fixed.record("txn_01late")
        assert (record.products, record.source, record.customer_id) == (
            ("late-book",),
            "billing",
            "ctm_1",
        )

    def test_replaying_a_delivered_order_mails_nobody(self, shop: Shop) -> None:
        shop.buy("552312-1")
        envelope_letter = {
            "message": {
                "type": "order.paid", "order_id": "552312-1", "paddle_ids": ["552312"],
                "event_id": "e", "occurred_at": "t", "source": "classic", "version": 1,
                "buyer": {"name": "Ada Lovelace", "email": "ada@example.com"},
                "customer_id": None,
            }
        }  # fmt: skip
        folder = shop.settings.local_data_dir / "dead-letter"
        (folder / "1-order.paid-paid_552312-1.json").write_text(
            json.dumps(
                {
                    "kind": "order.paid",
                    "key": "paid:552312-1",
                    "reason": "r",
                    "at": "t",
                    "payload": envelope_letter,
                }
            )
        )
        ran = shop.console("replay", "--all")
        assert ran.status == 0, ran.err
        assert len(shop.mails()) == 1

    def test_a_letter_without_a_message_cannot_be_replayed(self, shop: Shop) -> None:
        folder = shop.settings.local_data_dir / "dead-letter"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "2-malformed-push-envelope.json").write_text(
            json.dumps(
                {"kind": "malformed-push", "key": "envelope", "reason": "bad", "payload": {}}
            )
        )
        ran = shop.console("replay", "2-malformed-push-envelope")
        assert ran.status == 1 and "holds no message to send again" in ran.err
        listed = shop.console("dead-letters")
        assert "malformed-push" in listed.out and "0 replayable" in listed.out

    def test_no_letters_is_said_plainly(self, shop: Shop) -> None:
        assert shop.console("dead-letters").out.strip() == "no dead letters"
        assert json.loads(shop.console("dead-letters", "--json").out) == []


def test_indexes_written_again_change_nothing(shop: Shop) -> None:
    shop.buy("552312-1")
    record, _ = load_record(shop.storage, shop.settings.delivery_bucket, "552312-1")
    assert record is not None
    write_indexes(shop.storage, shop.settings.delivery_bucket, record)
    assert len(json.loads(shop.console("orders", "--json", "--email", "ada@example.com").out)) == 1
