"""The dashboard's pages on the unit tier's shop: what they show, and what their forms cause.

Each action goes through the console's own function and the worker on the
same storage (tests/support/shop.py), so a test sees the mail in the outbox,
the record revoked, the letter replayed, as the author would.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.messages import OrderRevoked
from common.orders import MailStatus, OrderRecord, update_record
from common.web import CSP
from dashboard.csrf import make_token
from demo.sample_book import make_sample_book
from service.download_access import form_field
from tests.conftest import SAMPLE_CATALOG, needs
from tests.support.paddle_payloads import billing_transaction_completed
from tests.support.shop import Shop
from tests.unit.console.test_console_commands import UNKNOWN_PRICE, UNKNOWN_PRODUCT
from tests.unit.dashboard.conftest import csrf_of, dashboard_of

HTML = {"Accept": "text/html"}


def post(client: FlaskClient, path: str, **form: str) -> tuple[int, str]:
    """POST a page's form with its token; the status and the Location or body."""
    token = csrf_of(client)
    answer = client.post(path, data={"csrf": token, **form}, headers=HTML)
    return answer.status_code, answer.headers.get("Location") or answer.get_data(as_text=True)


def test_the_overview_draws_the_shop_at_a_glance(shop: Shop, client: FlaskClient) -> None:
    shop.buy("552312-1")
    page = client.get("/").get_data(as_text=True)
    assert "Sales per day" in page and "Deliveries per week" in page
    assert page.count("<svg") >= 4 and "Did every buyer get the book?" in page
    assert "<script" not in page and " style=" not in page  # the CSP allows neither


class TestOrders:
    def test_the_list_masks_buyers_until_shown(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        masked = client.get("/orders?q=").get_data(as_text=True)
        assert "552312-1" in masked and "ada@example.com" not in masked and "A*** L***" in masked
        shown = client.get("/orders?q=&show=1").get_data(as_text=True)
        assert "ada@example.com" in shown and "Ada Lovelace" in shown

    @pytest.mark.parametrize(
        ("q", "found"),
        [
            ("bob@example.com", ["552312-2"]),
            ("ADA@example.com", ["552312-1", "552312-3"]),
            ("552312-3", ["552312-3"]),
            ("practical-python", ["552312-1", "552312-2", "552312-3"]),
            ("2020-01-01", ["552312-1", "552312-2", "552312-3"]),
            ("2999-01-01", []),
            ("no-such-order", []),
        ],
    )
    def test_one_box_searches_email_id_product_and_date(
        self, shop: Shop, client: FlaskClient, q: str, found: list[str]
    ) -> None:
        for n, who in enumerate(("ada@example.com", "bob@example.com", "Ada@Example.com"), 1):
            shop.buy(f"552312-{n}", who)
        page = client.get("/orders", query_string={"q": q}).get_data(as_text=True)
        assert sorted(set(re.findall(r">(552312-\d)</a>", page))) == found

    def test_the_search_form_posts_so_an_email_stays_out_of_the_url(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1", "ada@example.com")
        status, page = post(client, "/orders", q="ada@example.com")
        assert status == 200 and ">552312-1</a>" in page
        refused = client.post("/orders", data={"q": "ada@example.com"})
        assert refused.status_code == 403

    def test_the_api_answers_what_orders_json_does(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1", "ada@example.com")
        shop.buy("552312-2", "bob@example.com")
        for query, argv in (
            ("", ()),
            ("?email=bob@example.com", ("--email", "bob@example.com")),
            ("?show_buyers=1&limit=1", ("--show-buyers", "--limit", "1")),
            ("?status=revoked", ("--status", "revoked")),
        ):
            api = client.get(f"/api/orders{query}")
            assert api.status_code == 200
            assert api.get_json() == json.loads(shop.console("orders", "--json", *argv).out)

    @pytest.mark.parametrize("query", ["since=yesterday", "limit=-1", "limit=x", "status=lost"])
    def test_the_api_refuses_bad_parameters_in_words(self, client: FlaskClient, query: str) -> None:
        answer = client.get(f"/api/orders?{query}")
        assert answer.status_code == 400 and answer.get_json()["error"]


class TestOrder:
    def test_the_page_shows_history_files_and_mails(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        record = shop.record("552312-1")
        page = client.get("/orders/552312-1").get_data(as_text=True)
        mail_id = html.escape(record.mails[0].provider_id)
        for text in ("mailed", record.files[0].filename, mail_id, "A*** L***"):
            assert text in page
        assert "ada@example.com" not in page
        assert "ada@example.com" in client.get("/orders/552312-1?show=1").get_data(as_text=True)

    def test_a_mail_s_status_and_the_provider_s_reason_show(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1")

        def bounced(record: OrderRecord) -> OrderRecord:
            mails = tuple(
                replace(m, status=MailStatus.BOUNCED, reason="550 no such user")
                for m in record.mails
            )
            return replace(record, mails=mails)

        update_record(shop.storage, shop.settings.delivery_bucket, "552312-1", bounced)
        page = client.get("/orders/552312-1").get_data(as_text=True)
        assert 'class="status bounced">bounced</span> 550 no such user' in page

    def test_an_unknown_order_is_404_in_words(self, client: FlaskClient) -> None:
        answer = client.get("/orders/txn_nope", headers=HTML)
        assert answer.status_code == 404 and "no order txn_nope" in answer.get_data(as_text=True)

    def test_resend_mails_the_links_again(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        status, where = post(client, "/orders/552312-1/resend")
        assert status == 303 and where.endswith("note=resent")
        assert [m["X-Exlibris-Order"] for m in shop.mails()] == ["552312-1", "552312-1"]
        assert "Re-send requested" in client.get(where).get_data(as_text=True)

    def test_resend_to_a_corrected_address(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1", "ada@exmaple.com")
        status, _ = post(
            client, "/orders/552312-1/resend", to="ada@example.com", reason="typo in the domain"
        )
        assert status == 303
        record = shop.record("552312-1")
        assert record.mail_to == "ada@example.com"
        assert (record.email_changes[-1].by, record.email_changes[-1].reason) == (
            "author",
            "typo in the domain",
        )
        assert "<ada@example.com>" in shop.mails()[-1]["To"]

    @pytest.mark.parametrize(
        ("form", "said"),
        [
            ({"to": "not an address", "reason": "typo"}, "email"),
            ({"to": "ada@example.com"}, "a reason"),
            ({"reason": "why"}, "a corrected address"),
        ],
    )
    def test_a_bad_resend_is_400_and_mails_nothing(
        self, shop: Shop, client: FlaskClient, form: dict[str, str], said: str
    ) -> None:
        shop.buy("552312-1")
        status, page = post(client, "/orders/552312-1/resend", **form)
        assert status == 400 and said in page.lower()
        assert len(shop.mails()) == 1

    def test_revoke_with_a_reason(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        assert post(client, "/orders/552312-1/revoke", reason="refunded by hand")[0] == 303
        record = shop.record("552312-1")
        assert (record.status, record.revoked_reason, record.revoked_by) == (
            "revoked",
            "refunded by hand",
            "author",
        )
        assert post(client, "/orders/552312-1/revoke", reason="again")[1].endswith(
            "note=revoked-already"
        )
        status, page = post(client, "/orders/552312-1/revoke", reason=" ")
        assert status == 400 and "a reason" in page

    def test_a_chargeback_is_restored_by_its_button(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        lost = OrderRevoked("552312-1", "evt-cb", "2026-01-02T00:00:00Z", reason="chargeback")
        assert shop.publisher.publish(lost)
        assert "Restore (the chargeback was reversed)" in client.get("/orders/552312-1").get_data(
            as_text=True
        )
        status, where = post(client, "/orders/552312-1/restore", reason="dispute won")
        assert status == 303 and where.endswith("note=restored")
        assert shop.record("552312-1").status == "mailed"

    def test_only_a_chargeback_is_restored(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        post(client, "/orders/552312-1/revoke", reason="refunded by hand")
        status, page = post(client, "/orders/552312-1/restore", reason="dispute won")
        assert status == 400 and "only a chargeback" in page
        assert "Restore" not in client.get("/orders/552312-1").get_data(as_text=True)


class TestCsrf:
    def test_a_post_without_the_token_changes_nothing(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1")
        for form in ({}, {"csrf": ""}, {"csrf": "1.deadbeef"}):
            answer = client.post("/orders/552312-1/revoke", data={**form, "reason": "x"})
            assert answer.status_code == 403
        assert shop.record("552312-1").status == "mailed"

    def test_an_old_or_another_actors_token_is_refused(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1")
        secret = shop.settings.stamp_secret
        for token in (
            make_token(secret, "author", time.time() - 13 * 3600),
            make_token(secret, "someone-else", time.time()),
            make_token("another shop's secret", "author", time.time()),
            form_field(secret, "author", time.time()),  # a download form's: another purpose
        ):
            answer = client.post("/orders/552312-1/revoke", data={"csrf": token, "reason": "x"})
            assert answer.status_code == 403
        assert shop.record("552312-1").status == "mailed"

    def test_every_form_carries_the_token(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        (shop.original() / "practical-python.pdf").write_bytes(make_sample_book(pages=49))
        for path in (
            "/orders",
            "/orders/552312-1",
            "/reissue/practical-python",
            "/gifts",
            "/trace",
        ):
            page = client.get(path).get_data(as_text=True)
            forms = page.count("<form")
            assert forms and page.count('name="csrf"') == forms, path


class TestDeadLetters:
    def test_a_letter_is_listed_with_why_then_replayed_once_fixed(
        self, shop: Shop, tmp_path: Path
    ) -> None:
        payload = billing_transaction_completed(
            "txn_01late", "ctm_1", [UNKNOWN_PRICE], [UNKNOWN_PRODUCT]
        )
        assert shop.webhook(payload) == 200
        client = dashboard_of(shop).test_client()
        page = client.get("/dead-letters").get_data(as_text=True)
        assert "txn_01late" in page and "Replay" in page
        status, where = post(client, "/dead-letters/replay", all="1")
        assert status == 303 and "still+no+catalog+product" in where
        catalog = tmp_path / "catalog.toml"
        catalog.write_text(
            SAMPLE_CATALOG.read_text()
            + f'\n[products.late-book]\npaddle_ids = ["{UNKNOWN_PRICE}"]\ntitle = "Late Book"\n'
            + 'files = [{ source = "practical-python.pdf", stamp = true }]\n'
        )
        fixed = shop.restarted(catalog=str(catalog))
        client = dashboard_of(fixed, catalog=str(catalog)).test_client()
        status, where = post(client, "/dead-letters/replay", all="1")
        assert status == 303 and "replayed=1+of+1" in where
        assert [m["X-Exlibris-Order"] for m in fixed.mails()] == ["txn_01late"]
        assert "No dead letters" in client.get("/dead-letters").get_data(as_text=True)

    def test_an_unknown_letter_is_404(self, client: FlaskClient) -> None:
        assert post(client, "/dead-letters/replay", id="nope")[0] == 404


class TestReissue:
    def test_dry_run_then_start_then_done_on_reload(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1", "ada@example.com")
        shop.buy("552312-2", "bob@example.com")
        quiet = client.get("/reissue/practical-python").get_data(as_text=True)
        assert "Nobody would be mailed" in quiet
        (shop.original() / "practical-python.pdf").write_bytes(make_sample_book(pages=49))
        dry = client.get("/reissue/practical-python").get_data(as_text=True)
        assert "Mail 2 buyers the new edition" in dry and "552312-2" in dry
        assert "bob@example.com" not in dry
        assert len(shop.mails()) == 2
        status, where = post(client, "/reissue/practical-python")
        assert status == 303 and "request=" in where
        new = [m["X-Exlibris-Order"] for m in shop.mails() if "new edition" in m["Subject"]]
        assert sorted(new) == ["552312-1", "552312-2"]
        done = client.get(where).get_data(as_text=True)
        assert "Done: every entitled order has this edition" in done
        assert 'http-equiv="refresh"' not in done

    def test_an_unknown_product_is_404(self, client: FlaskClient) -> None:
        answer = client.get("/reissue/nope", headers=HTML)
        assert answer.status_code == 404 and "no product" in answer.get_data(as_text=True)


class TestTrace:
    def test_a_stamped_copy_names_its_order(self, shop: Shop, client: FlaskClient) -> None:
        shop.buy("552312-1")
        shop.buy("552312-2", "bob@example.com")
        copy = shop.record("552312-2").files[0]
        data = shop.storage.read(shop.settings.delivery_bucket, copy.object_name).data
        token = csrf_of(client, "/trace")
        answer = client.post(
            "/trace",
            data={"csrf": token, "file": (io.BytesIO(data), "found.pdf")},
            content_type="multipart/form-data",
        )
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, page
        assert "Order 552312-2" in page and "authentic" in page and "552312-1" not in page
        assert "Revoke order 552312-2" in page

    @needs("pdftotext")
    def test_the_evidence_report_downloads_for_the_same_upload(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        copy = shop.record("552312-1").files[0]
        data = shop.storage.read(shop.settings.delivery_bucket, copy.object_name).data
        token = csrf_of(client, "/trace")
        answer = client.post(
            "/trace",
            data={"csrf": token, "report": "1", "file": (io.BytesIO(data), "leak.pdf")},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 200
        assert answer.mimetype == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment")
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=answer.data, capture_output=True, check=True
        ).stdout.decode()
        assert "552312-1" in text and "AUTHENTIC" in text and "leak.pdf" in text
        assert "Ada Lovelace" not in text and "ada@example.com" not in text

    def test_a_file_that_is_no_book_is_400_in_words(self, client: FlaskClient) -> None:
        token = csrf_of(client, "/trace")
        answer = client.post(
            "/trace",
            data={"csrf": token, "file": (io.BytesIO(b"hello"), "x.pdf")},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 400
        assert 'class="error"' in answer.get_data(as_text=True)

    def test_an_upload_over_the_cap_is_413(self, shop: Shop) -> None:
        client = dashboard_of(shop, dashboard_max_upload=1024).test_client()
        token = csrf_of(client, "/trace")
        answer = client.post(
            "/trace",
            data={"csrf": token, "file": (io.BytesIO(b"%PDF" * 100_000), "x.pdf")},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 413


class TestHygiene:
    def test_pages_carry_the_strict_csp_and_load_nothing_from_elsewhere(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        shop.buy("552312-1")
        paths = (
            "/",
            "/orders",
            "/orders/552312-1",
            "/dead-letters",
            "/reissue",
            "/gifts",
            "/trace",
        )
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["Content-Security-Policy"] == CSP
            assert answer.headers["Cache-Control"] == "no-store"
            page = answer.get_data(as_text=True)
            assert not re.search(r'(src|href)="(https?:)?//', page), path
            assert "<script" not in page, path

    def test_no_buyer_data_in_the_logs(
        self, shop: Shop, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        shop.buy("552312-1", "ada@example.com", "Ada Lovelace")
        caplog.clear()
        post(client, "/orders", q="ada@example.com", show="1")
        client.get("/orders/552312-1?show=1")
        post(client, "/orders/552312-1/resend", to="ada.l@example.com", reason="new address")
        logged = caplog.text + json.dumps([r.__dict__ for r in caplog.records], default=str)
        for secret in ("ada@example.com", "ada.l@example.com", "Ada Lovelace"):
            assert secret not in logged


class TestGifts:
    def test_a_review_copy_is_given_stamped_and_mailed(
        self, shop: Shop, client: FlaskClient
    ) -> None:
        page = client.get("/gifts").get_data(as_text=True)
        assert "practical-python" in page and 'name="csrf"' in page
        status, where = post(
            client,
            "/gifts",
            product="practical-python",
            name="Rita Reviewer",
            email="rita@example.com",
            note="Thanks for reading!",
        )
        assert status == 303 and "note=given" in where
        order_id = where.split("/orders/")[1].split("?")[0]
        assert order_id.startswith("gift-")
        record = shop.record(order_id)
        assert (record.merchant, record.status) == ("gift", "mailed")
        [mail] = shop.mails()
        assert "rita@example.com" in mail["To"]

    @pytest.mark.parametrize(
        ("form", "said"),
        [
            ({"product": "nope", "name": "Rita", "email": "rita@example.com"}, "no product"),
            ({"product": "practical-python", "name": " ", "email": "rita@example.com"}, "name"),
            ({"product": "practical-python", "name": "Rita", "email": "not-an-address"}, "email"),
        ],
    )
    def test_a_gift_refused_says_why_and_mails_nothing(
        self, shop: Shop, client: FlaskClient, form: dict[str, str], said: str
    ) -> None:
        status, page = post(client, "/gifts", **form)
        assert status == 400 and said in page.lower()
        assert shop.mails() == []
