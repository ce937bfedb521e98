"""WooCommerce's merchant: signatures by real signing, then what each delivery means.

One failure per test. The known answers come from WooCommerce's own test of
WC_Webhook::generate_signature (woocommerce/woocommerce
plugins/woocommerce/tests/legacy/unit-tests/webhooks/crud.php) and from OpenSSL
(`openssl dgst -sha256 -hmac SECRET -binary body | base64`), an implementation
other than ours; every other request is signed with sign_woocommerce over the
bytes tests/support/woocommerce_payloads.py builds as WordPress would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from common.merchants import (
    EventError,
    Ignored,
    SignatureError,
    WebhookRequest,
    WooCommerce,
    build_merchants,
)
from common.merchants._woocommerce import sign_woocommerce
from common.messages import OrderPaid, OrderRevoked, PaidItem
from common.messages._buyer_data import NAME_MAX
from common.settings import Settings
from tests.support.woocommerce_payloads import (
    SECRET,
    delivery,
    delivery_id,
    order,
    ping,
    rest_error,
    wp_json_encode,
)

MERCHANT = WooCommerce((SECRET,))
# OpenSSL's answer for this body (PHP's escapes kept) under SECRET: see the module docstring.
KAT_BODY = (
    b'{"id":727,"status":"processing","billing":{"first_name":"Zo\\u00eb"},'
    b'"_links":{"self":[{"href":"https:\\/\\/example.com\\/wp-json\\/wc\\/v3\\/orders\\/727"}]}}'
)
KAT_SIGNATURE = "ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6BUVc="


def request(body: bytes, headers: dict[str, str], form: dict[str, str] | None = None):
    return WebhookRequest.of(body, headers.items(), form=form or {}, now=1_490_210_900.0)


def signed(payload: Any = None, topic: str = "order.updated", **kw: Any) -> WebhookRequest:
    body, headers = delivery(order() if payload is None else payload, topic=topic, **kw)
    return request(body, headers)


def with_header(name: str, value: str | None) -> WebhookRequest:
    body, headers = delivery(order())
    headers = {k: v for k, v in headers.items() if k != name}
    return request(body, headers if value is None else {**headers, name: value})


def parsed(payload: Any = None, topic: str = "order.updated") -> Any:
    req = signed(payload, topic)
    MERCHANT.verify(req)
    return MERCHANT.parse(req)


class TestSignature:
    def test_woocommerces_own_known_answer(self) -> None:
        # An unsaved WC_Webhook (secret "") signs the string "secret" so.
        assert sign_woocommerce(b"secret", "") == "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs="

    def test_openssl_known_answer_verifies(self) -> None:
        _, headers = delivery(order())
        req = request(KAT_BODY, {**headers, "X-WC-Webhook-Signature": KAT_SIGNATURE})
        MERCHANT.verify(req)

    def test_a_genuine_delivery_verifies(self) -> None:
        MERCHANT.verify(signed())

    def test_lower_cased_header_names_verify(self) -> None:
        MERCHANT.verify(signed(lowercase=True))  # a proxy or HTTP/2 lower-cases them

    def test_a_secret_with_commas_and_symbols_is_taken_whole(self) -> None:
        secret = "k,8]_;Zq <v>&|`x=~,"  # wp_generate_password(50, true, true) draws from these
        body, headers = delivery(order(), secret)
        WooCommerce((secret,)).verify(request(body, headers))

    def test_another_secret_is_refused(self) -> None:
        body, headers = delivery(order(), "someone else's secret")
        with pytest.raises(SignatureError, match="no matching signature"):
            MERCHANT.verify(request(body, headers))

    def test_either_secret_of_a_rotation_verifies(self) -> None:
        body, headers = delivery(order(), "the new secret")
        WooCommerce((SECRET, "the new secret")).verify(request(body, headers))

    def test_no_secret_refuses_everything(self) -> None:
        with pytest.raises(SignatureError, match="no webhook secret"):
            WooCommerce(()).verify(signed())

    def test_a_changed_byte_is_refused(self) -> None:
        body, headers = delivery(order())
        with pytest.raises(SignatureError, match="no matching signature"):
            MERCHANT.verify(request(body.replace(b'"processing"', b'"completed"'), headers))

    def test_the_same_json_re_serialised_is_refused(self) -> None:
        body, headers = delivery(order(first_name="Zoë"))
        again = json.dumps(json.loads(body), ensure_ascii=False).encode()  # "/" and "ë" unescaped
        with pytest.raises(SignatureError, match="no matching signature"):
            MERCHANT.verify(request(again, headers))

    def test_a_stale_replay_still_verifies_and_names_the_same_order(self) -> None:
        # WooCommerce signs no timestamp, so an old delivery cannot be told from a new
        # one; the worker acts once per order id, which is why a replay is harmless.
        first, replayed = parsed(), parsed()
        assert first == replayed and first.idempotency_key == "paid:woocommerce-727"

    def test_a_missing_signature_is_refused(self) -> None:
        with pytest.raises(SignatureError, match="missing X-WC-Webhook-Signature"):
            MERCHANT.verify(with_header("X-WC-Webhook-Signature", None))

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6BUVc",  # padding dropped
            "ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6BUVc= ",
            "ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6BUVc=,ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6B",
            "44ac8bea16847df6a5b8b1d5297be8b876acbd2039107c1139",  # hex, not base64
            "Ua6JJmQFQeYIuFhHb1Q/cZxjCf4=",  # a SHA-1 HMAC's length
            "ROys6haEffaluLHVKXvouHasvSA5EHwROQ0E0v6BUVc=\r\nX: y",
        ],
        ids=["empty", "unpadded", "trailing-blank", "two", "hex", "sha1", "crlf"],
    )
    def test_a_malformed_signature_is_refused(self, value: str) -> None:
        with pytest.raises(SignatureError, match="not a base64 SHA-256 digest"):
            MERCHANT.verify(with_header("X-WC-Webhook-Signature", value))

    @pytest.mark.parametrize(
        ("name", "value", "reason"),
        [
            ("X-WC-Webhook-Topic", None, "missing X-WC-Webhook-Topic"),
            ("X-WC-Webhook-Topic", "order", "not resource.event"),
            ("X-WC-Webhook-Topic", "Order.Updated", "not resource.event"),
            ("X-WC-Webhook-Topic", "order.updated\r\n", "not resource.event"),
            ("X-WC-Webhook-Delivery-ID", None, "missing X-WC-Webhook-Delivery-ID"),
            ("X-WC-Webhook-Delivery-ID", "", "not a delivery id"),
            ("X-WC-Webhook-Delivery-ID", "d" * 129, "not a delivery id"),
            ("X-WC-Webhook-Delivery-ID", "a b", "not a delivery id"),
        ],
    )
    def test_a_missing_or_malformed_header_is_refused(
        self, name: str, value: str | None, reason: str
    ) -> None:
        with pytest.raises(SignatureError, match=reason):
            MERCHANT.verify(with_header(name, value))


class TestPing:
    def test_the_ping_verifies_without_a_signature(self) -> None:
        body, headers = ping(12)
        MERCHANT.verify(request(body, headers, {"webhook_id": "12"}))

    def test_the_ping_is_ignored(self) -> None:
        body, headers = ping(12)
        event = MERCHANT.parse(request(body, headers, {"webhook_id": "12"}))
        note = "WooCommerce's delivery ping for webhook 12"
        assert event == Ignored("webhook.ping", "ping-12", note)

    @pytest.mark.parametrize(
        "form",
        [{}, {"webhook_id": ""}, {"webhook_id": "12x"}, {"webhook_id": "12", "status": "paid"}],
        ids=["empty", "blank", "not-a-number", "more-fields"],
    )
    def test_any_other_form_post_is_refused(self, form: dict[str, str]) -> None:
        body, headers = ping(12)
        with pytest.raises(SignatureError, match="WooCommerce's ping"):
            MERCHANT.verify(request(body, headers, form))

    def test_a_ping_body_posted_as_json_needs_a_signature(self) -> None:
        req = request(b"webhook_id=12", {"Content-Type": "application/json"})
        with pytest.raises(SignatureError, match="missing X-WC-Webhook-Signature"):
            MERCHANT.verify(req)


class TestSales:
    def test_a_processing_order_is_a_sale_of_its_products_and_variations(self) -> None:
        event = parsed(order(), "order.created")
        assert event == OrderPaid(
            order_id="woocommerce-727",
            product_ids=("woocommerce:93", "woocommerce:22", "woocommerce:23"),
            event_id=f"{delivery_id()}:727",
            occurred_at="2017-03-22T19:28:08Z",
            merchant="woocommerce",
            buyer=event.buyer,
            items=(
                PaidItem("315", ("woocommerce:93",)),
                PaidItem("316", ("woocommerce:22", "woocommerce:23")),
            ),
        )
        assert (event.buyer.name, event.buyer.email) == ("John Doe", "john.doe@example.com")

    def test_a_completed_order_is_a_sale(self) -> None:
        assert isinstance(parsed(order(status="completed")), OrderPaid)

    def test_a_partial_refund_leaves_the_sale_standing(self) -> None:
        refunds = [{"id": 726, "reason": "", "total": "-10.00"}]
        event = parsed(order(status="completed", refunds=refunds))
        assert isinstance(event, OrderPaid) and event.order_id == "woocommerce-727"

    def test_an_unpaid_order_dates_the_sale_by_its_last_change(self) -> None:
        assert parsed(order(date_paid_gmt=None)).occurred_at == "2017-03-22T19:28:08Z"

    def test_a_product_listed_twice_is_named_once(self) -> None:
        event = parsed(order(lines=[(1, 93, 0), (2, 93, 0)]))
        assert event.product_ids == ("woocommerce:93",) and len(event.items) == 2

    def test_lines_of_deleted_products_are_left_out(self) -> None:
        event = parsed(order(lines=[(1, 0, 0), (2, 93, 0)]))
        assert event.items == (PaidItem("2", ("woocommerce:93",)),)

    def test_a_sale_without_products_is_ignored(self) -> None:
        event = parsed(order(lines=[(1, 0, 0)]))
        assert isinstance(event, Ignored) and "no products" in event.note

    def test_a_blank_name_names_the_copy_by_the_email(self) -> None:
        event = parsed(order(first_name="", last_name=""))
        assert event.buyer.name == "john.doe@example.com"

    @pytest.mark.parametrize(
        "name",
        ["Eve\r\nBcc: x@evil.example", "Ada " * 2500, "Zoë\u202eLovelace", "Ada\ud800Lovelace"],
        ids=["crlf", "ten-thousand", "rtl-override", "lone-surrogate"],
    )
    def test_hostile_names_are_accepted_and_made_safe(self, name: str) -> None:
        buyer = parsed(order(first_name=name, last_name="")).buyer
        assert "\r" not in buyer.name and "\n" not in buyer.name and "\u202e" not in buyer.name
        assert 0 < len(buyer.name) <= NAME_MAX


class TestRefundsAndOtherStatuses:
    def test_a_refunded_order_is_revoked(self) -> None:
        event = parsed(order(status="refunded"))
        assert event == OrderRevoked(
            "woocommerce-727",
            f"{delivery_id()}:727",
            "2017-03-22T19:28:08Z",
            reason="refund",
            revoked_by="woocommerce",
        )

    @pytest.mark.parametrize(
        "status", ["pending", "on-hold", "failed", "cancelled", "trash", "checkout-draft"]
    )
    def test_an_order_in_another_status_is_ignored(self, status: str) -> None:
        event = parsed(order(status=status))
        assert isinstance(event, Ignored) and status in event.note

    @pytest.mark.parametrize(
        "topic", ["order.deleted", "order.restored", "product.updated", "action.woocommerce_x"]
    )
    def test_other_topics_are_ignored(self, topic: str) -> None:
        assert parsed(order(), topic) == Ignored(topic, delivery_id())

    def test_an_order_deleted_before_its_delivery_is_ignored(self) -> None:
        event = parsed(rest_error(404))
        assert isinstance(event, Ignored) and "deleted" in event.note

    def test_an_order_the_webhooks_user_cannot_read_is_an_error(self) -> None:
        with pytest.raises(EventError, match="woocommerce_rest_cannot_view"):
            parsed(rest_error(401))


def _without(key: str) -> dict[str, Any]:
    payload = order()
    del payload[key]
    return payload


def _changed(**changes: Any) -> dict[str, Any]:
    return order() | changes


def _line(**changes: Any) -> dict[str, Any]:
    payload = order()
    payload["line_items"][0] |= changes
    return payload


def _billing(**changes: Any) -> dict[str, Any]:
    payload = order()
    payload["billing"] |= changes
    return payload


INVALID = {
    "array": ([order()], "not a JSON object"),
    "no id": (_without("id"), "id is missing"),
    "id as text": (_changed(id="727"), "id is missing"),
    "id true": (_changed(id=True), "id is missing"),
    "id zero": (_changed(id=0), "not a positive integer"),
    "no status": (_without("status"), "status is missing"),
    "no line items": (_without("line_items"), "line_items is missing"),
    "a line that is text": (_changed(line_items=["93"]), r"line_items\[0\] is not an object"),
    "a line without id": (_line(id=None), r"line_items\[0\].id"),
    "a negative product": (_line(product_id=-1), r"line_items\[0\].product_id"),
    "a product id as text": (_line(product_id="93"), r"line_items\[0\].product_id"),
    "no billing": (_without("billing"), "billing is missing"),
    "no email": (_billing(email=None), "billing.email is missing"),
    "two addresses": (_billing(email="a@example.com, b@example.com"), "not an email address"),
    "a display name": (_billing(email="John <john@example.com>"), "not an email address"),
    "a bad date": (_changed(date_paid_gmt="yesterday"), "date_paid_gmt is not a date"),
    "no date at all": (
        _changed(date_paid_gmt=None, date_modified_gmt=None, date_created_gmt=None),
        "none of date_paid_gmt",
    ),
    "an id too long to name an order": (_changed(id=10**130), "order_id"),
}


@pytest.mark.parametrize(("payload", "reason"), INVALID.values(), ids=INVALID.keys())
def test_a_signed_but_unreadable_order_is_an_event_error(payload: Any, reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        parsed(payload)


@pytest.mark.parametrize("body", [b"", b"not json", b'{"id": 727', "{}".encode("utf-16")])
def test_a_signed_body_that_is_not_json_is_an_event_error(body: bytes) -> None:
    _, headers = delivery(order())
    req = request(body, {**headers, "X-WC-Webhook-Signature": sign_woocommerce(body, SECRET)})
    MERCHANT.verify(req)
    with pytest.raises(EventError, match="not JSON"):
        MERCHANT.parse(req)


def test_the_body_is_sent_as_php_encodes_it() -> None:
    body = wp_json_encode({"href": "https://x.example/a", "name": "Zoë"})
    assert body == b'{"href":"https:\\/\\/x.example\\/a","name":"Zo\\u00eb"}'


class TestSettings:
    def test_off_while_its_secret_is_unset(self, settings: Settings) -> None:
        assert WooCommerce.from_settings(settings) is None
        assert "woocommerce" not in build_merchants(settings)

    def test_on_with_its_one_secret(self, settings: Settings) -> None:
        on = settings.with_overrides(woocommerce_webhook_secret=SECRET)
        assert build_merchants(on)["woocommerce"] == WooCommerce((SECRET,))
