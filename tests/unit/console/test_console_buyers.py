"""`exlibris give`, `buyer` and `forget` against a shop in one process (tests/support/shop.py).

The console publishes into the worker app, so each test reads the worker's
result back from storage, the outbox and the service's /verify.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from common.dead_letters import FolderDeadLetters
from common.messages import ErasureRequested, LinksRequested, encode
from common.orders import customer_prefix
from console.gifts import MAX_ROWS
from service.app import create_app as create_service
from tests.conftest import STAMP_SECRET
from tests.support.shop import Shop
from worker.mail._outbox import plain_text

PRODUCT = "practical-python"


def gift_list(tmp_path: Path, text: str | bytes, name: str = "readers.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def verify(shop: Shop, code: str) -> dict[str, object]:
    service = create_service(shop.settings).test_client()
    answer = service.get(
        "/verify", query_string={"code": code}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200
    return dict(answer.get_json())


class TestGive:
    def test_a_gift_is_stamped_mailed_and_shown_like_a_sale(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        ran = shop.console(
            "give", PRODUCT, "--name", "Rita Reviewer", "--email", "rita@example.com",
            "--note", "Thanks for reviewing <b>this</b>!",
        )  # fmt: skip
        assert ran.status == 0, ran.err
        order_id = ran.out.splitlines()[0]
        assert order_id.startswith("gift-") and len(order_id) == 29
        record = shop.record(order_id)
        assert (record.merchant, record.status, record.buyer_name) == (
            "gift",
            "mailed",
            "Rita Reviewer",
        )
        [mail] = shop.mails()
        assert "Thanks for reviewing <b>this</b>!" in plain_text(mail)
        [row] = json.loads(shop.console("orders", "--json").out)
        assert row["order_id"] == order_id
        target = tmp_path / "orders.csv"
        assert shop.console("export", "--csv", str(target)).status == 0
        [exported] = list(csv.DictReader(io.StringIO(target.read_text())))
        assert (exported["order_id"], exported["merchant"]) == (order_id, "gift")
        check = verify(shop, record.code)
        assert (check["order_id"], check["valid"], check["buyer_name"]) == (
            order_id,
            True,
            "R*** R***",
        )

    def test_a_found_gift_copy_traces_to_its_gift_order(
        self, shop: Shop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("STAMP_SECRET", STAMP_SECRET)  # the file commands read the environment
        ran = shop.console(
            "give", PRODUCT, "--name", "Rita Reviewer", "--email", "rita@example.com"
        )
        order_id = ran.out.splitlines()[0]
        pdf = shop.record(order_id).files[0].object_name
        copy = shop.settings.local_data_dir / "storage" / shop.settings.delivery_bucket / pdf
        capsys.readouterr()
        traced = shop.console("trace", str(copy), "--json", "--no-ocr")  # prints on stdout
        assert traced.status == 0, traced.err
        found = json.loads(capsys.readouterr().out)["orders"]
        assert {(f["order_id"], f["authentic"]) for f in found} == {(order_id, True)}

    @pytest.mark.parametrize(
        ("argv", "why"),
        [
            (("cobol", "--name", "R", "--email", "r@example.com"), "no product 'cobol'"),
            ((PRODUCT, "--name", "R", "--email", "r at example"), "not a single email address"),
            ((PRODUCT, "--name", "R"), "give needs --name and --email, or --csv FILE"),
            ((PRODUCT, "--name", "R", "--email", "r@example.com", "--note", "x" * 1001), "at most"),
        ],
    )
    def test_a_gift_asked_wrongly_is_refused_in_one_line(
        self, shop: Shop, argv: tuple[str, ...], why: str
    ) -> None:
        ran = shop.console("give", *argv)
        assert ran.status == 2 and why in ran.err and ran.err.count("\n") == 1, ran.err
        assert not shop.publisher.published


class TestGiveList:
    def test_a_list_is_given_once_and_a_longer_list_gives_the_new_rows_only(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        rows = "name,email,note\nRita,rita@example.com,Enjoy\nSam,sam@example.com,\n"
        first = shop.console("give", PRODUCT, "--csv", gift_list(tmp_path, rows))
        assert first.status == 0, first.err
        assert (
            "2 to give, 0 given before" in first.out and "2 gifts stamped and mailed" in first.out
        )
        assert [m["To"] for m in shop.mails()] == [
            "Rita <rita@example.com>",
            "Sam <sam@example.com>",
        ]

        again = shop.console("give", PRODUCT, "--csv", gift_list(tmp_path, rows))
        assert again.status == 0 and "0 to give, 2 given before" in again.out
        longer = shop.console(
            "give", PRODUCT, "--csv", gift_list(tmp_path, rows + "Tom,tom@example.com,\n")
        )
        assert longer.status == 0 and "1 to give, 2 given before" in longer.out
        assert len(shop.mails()) == 3
        assert (
            first.out.split("line 2: ")[1].split()[0] == longer.out.split("line 2: ")[1].split()[0]
        )

        next_round = shop.console("give", PRODUCT, "--csv", gift_list(tmp_path, rows), "--run", "2")
        assert next_round.status == 0 and "2 to give" in next_round.out
        assert len(shop.mails()) == 5

    @pytest.mark.parametrize(
        ("content", "why"),
        [
            (b"name,email\nRita,rita@example.com\nJos\xe9,jose@example.com\n", "line 3: not UTF-8"),
            ("Rita,rita@example.com\n", "line 1: a header naming the columns name,email"),
            ("name,email,phone\nRita,rita@example.com,1\n", "line 1: the columns are name, email"),
            ("name,email\nRita,rita@example.com\nSam,sam at example\n", "line 3: not a single"),
            (
                "name,email\nRita,rita@example.com\nR2,RITA@example.com\n",
                "line 3: the same address as line 2",
            ),
            ("name,email\nRita,rita@example.com,extra\n", "line 2: 3 cells where the header has 2"),
            ("name,email\n,rita@example.com\n", "line 2: a name is required"),
            ("name,email\n", "no readers under the header"),
            ('name,email\n"Rita,rita@example.com\n', "not CSV"),
        ],
    )
    def test_a_hostile_list_is_refused_naming_the_line_and_nothing_is_given(
        self, shop: Shop, tmp_path: Path, content: str | bytes, why: str
    ) -> None:
        ran = shop.console("give", PRODUCT, "--csv", gift_list(tmp_path, content))
        assert ran.status == 2 and why in ran.err and ran.err.count("\n") == 1, ran.err
        assert not shop.publisher.published

    def test_a_list_longer_than_the_limit_is_refused(self, shop: Shop, tmp_path: Path) -> None:
        rows = "".join(f"R,r{n}@example.com\n" for n in range(MAX_ROWS + 1))
        ran = shop.console("give", PRODUCT, "--csv", gift_list(tmp_path, "name,email\n" + rows))
        assert ran.status == 2 and f"line {MAX_ROWS + 2}: more than {MAX_ROWS}" in ran.err
        assert not shop.publisher.published

    def test_a_list_and_a_single_reader_together_is_a_usage_error(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        path = gift_list(tmp_path, "name,email\nRita,rita@example.com\n")
        ran = shop.console("give", PRODUCT, "--csv", path, "--email", "x@example.com")
        assert ran.status == 2 and "leave out --name" in ran.err


class TestBuyerAndForget:
    def test_buyer_lists_everything_held_about_an_address(self, shop: Shop) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        shop.buy("552312-2", "bob@example.com", "Bob Byte")
        shop.buy("552312-3", "Ada@Example.com", "Ada L.")
        shop.storage.write(shop.settings.delivery_bucket, "downloads/552312-1/0", b"2")
        ran = shop.console("buyer", "ada@example.com", "--json")
        assert ran.status == 0, ran.err
        held = json.loads(ran.out)
        assert [o["order_id"] for o in held["orders"]] == ["552312-1", "552312-3"]
        first = held["orders"][0]
        assert (first["buyer_name"], first["buyer_email"], first["code"]) == (
            "Ada Lovelace",
            "ada@example.com",
            shop.record("552312-1").code,
        )
        assert first["files"][0]["downloads"] == 2 and first["mails"][0]["kind"] == "delivery"
        assert held["index"] == [
            customer_prefix("ada@example.com") + i for i in ("552312-1", "552312-3")
        ]
        table = shop.console("buyer", "ada@example.com").out
        assert "552312-1" in table and "552312-3" in table and "552312-2" not in table

    def test_forget_erases_and_a_second_forget_finds_nothing(self, shop: Shop) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        shop.buy("552312-2", "bob@example.com", "Bob Byte")
        record = shop.record("552312-1")
        letters = FolderDeadLetters(shop.settings.local_data_dir / "dead-letter")
        lost = LinksRequested("ada@example.com", "req-lost", "2026-01-01T00:00:00Z")
        letters.record(
            "links.requested", "links:req-lost", "gave up", {"message": json.loads(encode(lost))}
        )

        ran = shop.console("forget", "ada@example.com", "--by", "Jane (support ticket 42)")
        assert ran.status == 0, ran.err
        assert "1 order" in ran.out and "1 dead letter" in ran.out and "1 outbox mail" in ran.out
        [message] = [m for m in shop.publisher.published if isinstance(m, ErasureRequested)]
        assert message.requested_by == "Jane (support ticket 42)"
        erased = shop.record("552312-1")
        assert (erased.buyer_name, erased.buyer_email, erased.code) == ("", "", record.code)
        assert erased.erased_by == "Jane (support ticket 42)"
        storage = shop.settings.local_data_dir / "storage" / shop.settings.delivery_bucket
        assert not any((storage / f.object_name).exists() for f in erased.files)
        check = verify(shop, record.code)
        assert (check["erased"], check["valid"], check["buyer_name"], check["buyer_email"]) == (
            True,
            False,
            "",
            "",
        )
        assert json.loads(shop.console("buyer", "ada@example.com", "--json").out)["orders"] == []
        assert [m["To"] for m in shop.mails()] == ["Bob Byte <bob@example.com>"]
        assert letters.letters() == []

        published = len(shop.publisher.published)
        again = shop.console("forget", "ada@example.com")
        assert again.status == 0 and "nothing is held about ada@example.com" in again.out
        assert len(shop.publisher.published) == published
        assert shop.record("552312-1") == erased
        assert shop.record("552312-2").buyer_email == "bob@example.com"

    def test_verify_says_erased_in_the_page(self, shop: Shop) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        code = shop.record("552312-1").code
        assert shop.console("forget", "ada@example.com").status == 0
        page = (
            create_service(shop.settings).test_client().get("/verify", query_string={"code": code})
        )
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "erased on request" in text and "A*** L***" not in text

    def test_a_bad_address_or_asker_is_a_usage_error(self, shop: Shop) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        for argv in (("buyer", "ada at example"), ("forget", "ada at example")):
            ran = shop.console(*argv)
            assert ran.status == 2 and ran.err.count("\n") == 1
        ran = shop.console("forget", "ada@example.com", "--by", " ")
        assert ran.status == 2 and "--by" in ran.err and ran.err.count("\n") == 1
        assert shop.record("552312-1").buyer_email == "ada@example.com"
