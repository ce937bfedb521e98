"""Gifts (an order.paid of merchant `gift`) and erasure (buyer.erasure-requested), in memory.

The same fixtures as test_in_memory.py: MemoryStorage, the outbox mailer, and
each message handed to worker.dispatch.handle. The gift messages are made by
common/gifts.py, the function the console and the dashboard call.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from common.catalog import parse_catalog
from common.gifts import GiftError, gift_message, gift_order_id, random_gift_id
from common.messages import (
    ContractError,
    ErasureRequested,
    LinksRequested,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    ResendRequested,
    decode,
    encode,
)
from common.orders import InvalidTransition, OrderQuery, Status, customer_prefix, failed_name
from common.settings import Settings
from tests.unit.worker.use_cases.test_in_memory import (
    AT,
    CATALOG,
    corrected,
    deliver,
    mails,
    memory_deps,
    paid,
)
from worker.deps import WorkerDeps
from worker.mail._outbox import plain_text, read_mail


@pytest.fixture
def deps(settings: Settings, tmp_path: Path) -> WorkerDeps:
    return memory_deps(settings, tmp_path)


def gift(order_id: str = "gift-1", note: str = "Thank you for reading early!") -> OrderPaid:
    return gift_message(
        parse_catalog(CATALOG),
        product="python",
        name="Rita Reviewer",
        email="rita@example.com",
        note=note,
        order_id=order_id,
    )


def forget(email: str = "ada@example.com", request: str = "req-f") -> ErasureRequested:
    return ErasureRequested(email, request, AT, requested_by="Jane")


class TestGifts:
    def test_a_gift_is_stamped_recorded_and_mailed_with_its_note(
        self, deps: WorkerDeps, tmp_path: Path
    ) -> None:
        assert deliver(deps, gift(), gift()) == [Status.MAILED, Status.MAILED]
        record, _ = deps.orders.load("gift-1")
        assert record is not None
        assert (record.merchant, record.products, record.product_ids) == (
            "gift",
            ("python",),
            ("gift:python",),
        )
        assert record.note == "Thank you for reading early!" and record.code
        assert all(deps.orders.has(f.object_name) for f in record.files)
        [path] = sorted((tmp_path / "outbox").glob("*.eml"))
        mail = read_mail(path)
        assert mail["To"] == "Rita Reviewer <rita@example.com>"
        text = plain_text(mail)
        assert "Thank you for reading early!" in text and "Thank you for buying" not in text
        query = OrderQuery(email="rita@example.com", product="python")
        ids = deps.orders.find(query, today=date(2026, 1, 1))
        assert ids == ["gift-1"]

    def test_the_note_is_escaped_in_the_html_part(self, deps: WorkerDeps, tmp_path: Path) -> None:
        deliver(deps, gift(note="<script>alert(1)</script> & more"))
        [path] = sorted((tmp_path / "outbox").glob("*.eml"))
        html = read_mail(path).get_body(("html",))
        assert html is not None
        body = html.get_content()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in body and "<script>" not in body

    def test_a_gift_travels_and_reads_back_with_its_note(self) -> None:
        message = gift()
        assert decode(encode(message)) == message

    def test_only_a_gift_carries_a_note(self) -> None:
        with pytest.raises(ContractError, match="only a gift"):
            paid(note="hello")

    @pytest.mark.parametrize(
        ("fields", "why"),
        [
            ({"product": "cobol"}, "no product 'cobol' in the catalog .it has: python, rust"),
            ({"email": "rita at example"}, "not a single email address"),
            ({"name": "  "}, "a name is required"),
            ({"note": "x" * 1001}, "1001 characters; at most 1000"),
        ],
    )
    def test_a_gift_asked_wrongly_is_refused_in_words(
        self, fields: dict[str, str], why: str
    ) -> None:
        asked = {"product": "python", "name": "Rita", "email": "rita@example.com", "note": ""}
        with pytest.raises(GiftError, match=why):
            gift_message(parse_catalog(CATALOG), **(asked | fields), order_id="gift-2")

    def test_gift_ids_keep_to_the_order_id_alphabet_and_a_list_names_the_same_ids(self) -> None:
        one = gift_order_id("secret", product="python", email="Rita@Example.com")
        assert one == gift_order_id("secret", product="python", email="rita@example.com")
        assert one != gift_order_id("secret", product="python", email="rita@example.com", run="2")
        assert one != gift_order_id("other", product="python", email="rita@example.com")
        assert one != gift_order_id("secret", product="rust", email="rita@example.com")
        for order_id in (one, random_gift_id()):
            assert order_id.startswith("gift-") and len(order_id) == 29
            assert order_id.replace("-", "").isalnum()
        assert random_gift_id() != random_gift_id()


class TestErasure:
    def test_forget_erases_the_buyer_and_keeps_the_accounts(
        self, deps: WorkerDeps, settings: Settings
    ) -> None:
        deliver(deps, paid(), corrected())  # the address was corrected once: two in the index
        before, _ = deps.orders.load("txn_1")
        assert before is not None
        failed = failed_name("python", "ed1", "txn_1")
        deps.orders.write(failed, b'{"reason": "ada@lovelace.example refused"}')

        assert deliver(deps, forget()) == ["erased 1"]

        record, _ = deps.orders.load("txn_1")
        assert record is not None
        assert (record.buyer_name, record.buyer_email, record.email_changes) == ("", "", ())
        assert record.erased_at and (record.erased_by, record.status) == ("Jane", "revoked")
        assert (record.order_id, record.products, record.code, record.created_at) == (
            "txn_1",
            ("python",),
            before.code,
            before.created_at,
        )
        assert "ada" not in record.to_json().decode().lower()
        assert record.history[-1].note == "buyer data erased on request of Jane"
        assert not any(deps.orders.has(f.object_name) for f in record.files)
        for address in ("ada@example.com", "ada@lovelace.example"):
            assert deps.orders.list(customer_prefix(address)) == []
        assert not deps.orders.has(failed)

    def test_forget_twice_is_a_no_op(self, deps: WorkerDeps) -> None:
        deliver(deps, paid(), forget())
        first, _ = deps.orders.load("txn_1")
        assert deliver(deps, forget(), forget(request="req-g")) == ["erased 0", "erased 0"]
        assert deps.orders.load("txn_1")[0] == first

    def test_an_erased_order_is_never_stamped_or_mailed_again(
        self, deps: WorkerDeps, tmp_path: Path
    ) -> None:
        deliver(deps, paid(), forget())
        outcomes = deliver(
            deps,
            paid(),  # a late redelivery of the purchase
            ResendRequested("txn_1", "req-r", AT),
            LinksRequested("ada@example.com", "req-l", AT),
        )
        assert outcomes[0] == Status.REVOKED
        assert mails(deps, tmp_path) == ["Ada Lovelace <ada@example.com>"]  # the sale's only
        record, _ = deps.orders.load("txn_1")
        assert record is not None and not any(deps.orders.has(f.object_name) for f in record.files)

    def test_a_won_chargeback_does_not_bring_an_erased_buyer_back(self, deps: WorkerDeps) -> None:
        deliver(deps, paid(), OrderRevoked("txn_1", "evt_c", AT, "chargeback"), forget())
        deliver(deps, OrderRestored("txn_1", "evt_w", AT, "chargeback_reverse"))
        record, _ = deps.orders.load("txn_1")
        assert record is not None and record.status == Status.REVOKED and record.erased_at
        with pytest.raises(InvalidTransition, match="erased"):
            record.restored(at=AT, note="again")

    def test_forget_leaves_other_buyers_alone(self, deps: WorkerDeps) -> None:
        deliver(deps, paid(), gift(), forget())
        record, _ = deps.orders.load("gift-1")
        assert record is not None and record.status == Status.MAILED
        assert record.buyer_email == "rita@example.com"
        rita = customer_prefix("rita@example.com")
        assert deps.orders.list(rita) == [rita + "gift-1"]

    def test_an_address_without_orders_erases_nothing(self, deps: WorkerDeps) -> None:
        assert deliver(deps, forget("nobody@example.com")) == ["erased 0"]

    def test_the_request_travels_with_its_address_normalised(self) -> None:
        message = ErasureRequested(" ada@EXAMPLE.com ", "req-1", AT, requested_by="Jane")
        assert message.email == "ada@example.com" and decode(encode(message)) == message
        with pytest.raises(ContractError):
            ErasureRequested("not an address", "req-1", AT, requested_by="Jane")
