"""The Shopify merchant: signatures checked for real, one failure per test; payloads parsed.

Known answers come from Shopify's own library: shopify-app-js signs '{"foo": "bar"}'
with its test config's secret `test_secret_key` and expects
`B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=`
(packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts,
lib/__tests__/test-config.ts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import (
    EventError,
    Ignored,
    Shopify,
    SignatureError,
    WebhookRequest,
    sign_shopify,
    verify_shopify,
)
from common.messages import ItemsRefunded, OrderPaid
from common.messages._buyer_data import NAME_MAX
from common.settings import Settings
from tests.support.shopify_payloads import (
    LINE_ITEM_IDS,
    ORDER_ID,
    VARIANT_ID,
    orders_paid,
    refunds_create,
    shopify_body,
    shopify_headers,
    shopify_request,
)

SECRET = "shpss_0123456789abcdef0123456789abcdef"
OLD_SECRET = "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"
MERCHANT = Shopify((SECRET,))
KNOWN_BODY = b'{"foo": "bar"}'
KNOWN_SECRET = "test_secret_key"
KNOWN_HMAC = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="


def request(body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest.of(body, headers.items())


def delivery(payload: dict[str, Any], topic: str = "orders/paid", **kw: Any) -> WebhookRequest:
    body, headers = shopify_request(payload, SECRET, topic, webhook_id="wh-1", **kw)
    return request(body, headers)


def verified(req: WebhookRequest, merchant: Shopify = MERCHANT) -> Any:
    merchant.verify(req)
    return merchant.parse(req)


def rejected(req: WebhookRequest, merchant: Shopify = MERCHANT) -> str:
    with pytest.raises(SignatureError) as caught:
        merchant.verify(req)
    return caught.value.reason


def unreadable(req: WebhookRequest) -> str:
    MERCHANT.verify(req)
    with pytest.raises(EventError) as caught:
        MERCHANT.parse(req)
    return str(caught.value)


class TestKnownAnswers:
    def test_sign_matches_shopify_s_own_library(self) -> None:
        assert sign_shopify(KNOWN_BODY, KNOWN_SECRET) == KNOWN_HMAC

    def test_verify_accepts_shopify_s_own_vector(self) -> None:
        verify_shopify(KNOWN_HMAC, KNOWN_BODY, [KNOWN_SECRET])

    def test_the_digest_is_plain_hmac_sha256_base64(self) -> None:
        digest = hmac.new(SECRET.encode(), b"{}", hashlib.sha256).digest()
        assert sign_shopify(b"{}", SECRET) == base64.b64encode(digest).decode()


class TestSignature:
    def test_a_genuine_delivery_verifies(self) -> None:
        assert isinstance(verified(delivery(orders_paid())), OrderPaid)

    def test_lowercased_header_names_verify(self) -> None:  # HTTP/2
        assert isinstance(verified(delivery(orders_paid(), lowercase=True)), OrderPaid)

    def test_the_header_spelled_sha256_in_capitals_verifies(self) -> None:
        body, headers = shopify_request(orders_paid(), SECRET)
        headers["X-Shopify-Hmac-SHA256"] = headers.pop("X-Shopify-Hmac-Sha256")
        assert isinstance(verified(request(body, headers)), OrderPaid)

    def test_any_secret_of_a_rotation_verifies(self) -> None:
        body, headers = shopify_request(orders_paid(), SECRET)
        assert isinstance(
            verified(request(body, headers), Shopify((OLD_SECRET, SECRET))), OrderPaid
        )

    def test_a_forged_signature_is_refused(self) -> None:
        body, headers = shopify_request(orders_paid(), "someone-else")
        assert rejected(request(body, headers)) == "no matching signature"

    def test_a_secret_rotated_out_is_refused(self) -> None:
        body, headers = shopify_request(orders_paid(), OLD_SECRET)
        assert rejected(request(body, headers)) == "no matching signature"

    def test_a_tampered_body_is_refused(self) -> None:
        body, headers = shopify_request(orders_paid(), SECRET)
        tampered = body.replace(b"jon@doe.ca", b"eve@doe.ca")
        assert rejected(request(tampered, headers)) == "no matching signature"

    def test_a_re_serialised_body_is_refused(self) -> None:
        body, headers = shopify_request(orders_paid(), SECRET)
        reencoded = json.dumps(json.loads(body), separators=(",", ":")).encode()  # "/" unescaped
        assert reencoded != body
        assert rejected(request(reencoded, headers)) == "no matching signature"

    def test_the_missing_header_is_refused(self) -> None:
        body, headers = shopify_request(orders_paid(), SECRET)
        del headers["X-Shopify-Hmac-Sha256"]
        assert rejected(request(body, headers)) == "missing X-Shopify-Hmac-Sha256 header"

    def test_no_configured_secret_refuses_everything(self) -> None:
        with pytest.raises(SignatureError, match="no webhook secret configured"):
            verify_shopify(KNOWN_HMAC, KNOWN_BODY, ())

    def test_an_old_delivery_still_verifies_because_nothing_signed_dates_it(self) -> None:
        # Shopify retries for 4 hours with the original payload and X-Shopify-Triggered-At; a
        # replay is harmless: the same order id is never mailed twice (test_shopify_pipeline).
        body, headers = shopify_request(orders_paid(), SECRET)
        headers["X-Shopify-Triggered-At"] = "2020-01-01T00:00:00Z"
        assert isinstance(verified(request(body, headers)), OrderPaid)


_GOOD = sign_shopify(KNOWN_BODY, SECRET)
MALFORMED = {
    "empty": ("", "missing X-Shopify-Hmac-Sha256 header"),
    "hex digest": (hmac.new(SECRET.encode(), KNOWN_BODY, hashlib.sha256).hexdigest(), "not the"),
    "url-safe alphabet": (_GOOD.replace("+", "-").replace("/", "_") + "", "not the"),
    "no padding": (_GOOD.rstrip("="), "not the"),
    "surrounding blanks": (f" {_GOOD} ", "not the"),
    "sha1 length": (base64.b64encode(b"\x00" * 20).decode(), "not the"),
    "prefixed": (f"sha256={_GOOD}", "not the"),
    "two values": (f"{_GOOD},{_GOOD}", "not the"),
    "non-canonical last digit": (_GOOD[:42] + chr(ord(_GOOD[42]) ^ 1) + "=", "not canonical"),
}


@pytest.mark.parametrize(("value", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_signature_header_is_refused_with_its_reason(value: str, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_shopify(value, KNOWN_BODY, [SECRET])


def test_the_url_safe_case_really_differs() -> None:
    """The vector above must hold a '+' or '/', or the url-safe case would test nothing."""
    assert set(_GOOD) & {"+", "/"}


HEADERS = {
    "missing topic": ("X-Shopify-Topic", None, "missing X-Shopify-Topic header"),
    "blank topic": ("X-Shopify-Topic", "", "missing X-Shopify-Topic header"),
    "topic with a newline": ("X-Shopify-Topic", "orders/paid\nx", "not a webhook topic"),
    "topic without a slash": ("X-Shopify-Topic", "orders", "not a webhook topic"),
    "missing webhook id": ("X-Shopify-Webhook-Id", None, "missing X-Shopify-Webhook-Id header"),
    "webhook id with a blank": ("X-Shopify-Webhook-Id", "a b", "not a delivery id"),
    "webhook id too long": ("X-Shopify-Webhook-Id", "a" * 129, "not a delivery id"),
}


@pytest.mark.parametrize(("name", "value", "reason"), HEADERS.values(), ids=HEADERS.keys())
def test_a_delivery_header_that_is_missing_or_malformed_is_refused(
    name: str, value: str | None, reason: str
) -> None:
    body, headers = shopify_request(orders_paid(), SECRET)
    headers = {k: v for k, v in headers.items() if k != name}
    if value is not None:
        headers[name] = value
    assert reason in rejected(request(body, headers))


@given(st.binary(max_size=512), st.integers(min_value=0, max_value=511), st.integers(1, 255))
def test_any_body_verifies_and_any_flipped_byte_does_not(body: bytes, at: int, bit: int) -> None:
    header = sign_shopify(body, SECRET)
    verify_shopify(header, body, [SECRET])
    if body:
        flipped = bytearray(body)
        flipped[at % len(body)] ^= bit
        with pytest.raises(SignatureError):
            verify_shopify(header, bytes(flipped), [SECRET])


class TestSettings:
    def test_off_while_the_secret_is_unset(self, settings: Settings) -> None:
        assert Shopify.from_settings(settings) is None

    def test_every_secret_of_a_rotation_is_kept(self, settings: Settings) -> None:
        on = Shopify.from_settings(settings.with_overrides(shopify_webhook_secrets=("a", "b")))
        assert on == Shopify(("a", "b"))
        assert (on.name, on.prefix, on.content_types) == (
            "shopify",
            "shopify",
            ("application/json",),
        )


class TestSale:
    def test_orders_paid_is_a_sale_of_its_variants(self) -> None:
        event = verified(delivery(orders_paid()))
        assert event.order_id == f"shopify-{ORDER_ID}"
        assert event.product_ids == (f"shopify:{VARIANT_ID}",)  # two lines, one variant: once
        assert event.merchant == "shopify" and event.event_id == "wh-1"

    def test_each_line_item_is_an_item_a_refund_can_name(self) -> None:
        event = verified(delivery(orders_paid()))
        assert [(i.item_id, i.product_ids) for i in event.items] == [
            (str(line), (f"shopify:{VARIANT_ID}",)) for line in LINE_ITEM_IDS
        ]

    def test_the_buyer_is_the_order_email_named_by_the_customer(self) -> None:
        buyer = verified(delivery(orders_paid())).buyer
        assert (buyer.name, buyer.email) == ("John Smith", "jon@doe.ca")

    def test_without_an_order_email_the_customer_s_is_used(self) -> None:
        assert verified(delivery(orders_paid(email=None))).buyer.email == "john@test.com"

    def test_without_customer_names_the_billing_name_is_used(self) -> None:
        payload = orders_paid(first_name=None, last_name="")
        assert verified(delivery(payload)).buyer.name == "Bob Biller"

    def test_without_any_name_the_address_names_the_buyer(self) -> None:
        payload = orders_paid(first_name=None, last_name=None, billing_name=None)
        assert verified(delivery(payload)).buyer.name == "jon@doe.ca"

    def test_when_it_happened_is_processed_at_else_created_at(self) -> None:
        assert verified(delivery(orders_paid())).occurred_at == "2026-04-06T08:09:03-04:00"
        paid = orders_paid(processed_at="2026-04-06T08:10:00-04:00")
        assert verified(delivery(paid)).occurred_at == "2026-04-06T08:10:00-04:00"

    def test_custom_items_are_skipped(self) -> None:
        payload = orders_paid(variant_ids=(None, VARIANT_ID))
        event = verified(delivery(payload))
        assert [i.item_id for i in event.items] == [str(LINE_ITEM_IDS[1])]

    def test_an_order_of_custom_items_only_is_ignored_with_a_note(self) -> None:
        event = verified(delivery(orders_paid(variant_ids=(None, None))))
        assert isinstance(event, Ignored) and event.event_type == "orders/paid"
        assert "no line item with a variant_id" in event.note

    def test_the_customer_locale_is_not_read(self) -> None:
        payload = orders_paid() | {"customer_locale": "\x00not a locale"}
        assert isinstance(verified(delivery(payload)), OrderPaid)


HOSTILE = {
    "crlf": ("Eve\r\nBcc: x@evil.example", "Eve Bcc: x@evil.example"),
    "nul": ("Ada\x00Lovelace", "AdaLovelace"),
    "line separator": ("Ada\u2028Lovelace", "Ada Lovelace"),
}


@pytest.mark.parametrize(("first", "clean"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_names_are_accepted_and_normalised(first: str, clean: str) -> None:
    event = verified(delivery(orders_paid(first_name=first, last_name=None)))
    assert event.buyer.name == clean


@pytest.mark.parametrize(
    ("customer_locale", "language"),
    [("de", "de"), ("fr-FR", "fr"), ("pt-BR", "pt"), ("en", "en"), ("ja", ""), (None, "")],
)
def test_the_buyer_s_locale_is_the_order_s_language(
    customer_locale: str | None, language: str
) -> None:
    event = verified(delivery(orders_paid(customer_locale=customer_locale)))
    assert isinstance(event, OrderPaid) and event.language == language


def test_a_huge_name_is_accepted_and_cut() -> None:
    event = verified(delivery(orders_paid(first_name="Ada " * 2500, last_name=None)))
    assert len(event.buyer.name) == NAME_MAX and event.buyer.name.endswith("…")


class TestRefund:
    def test_refunds_create_revokes_its_line_items(self) -> None:
        event = verified(delivery(refunds_create(), "refunds/create"))
        assert isinstance(event, ItemsRefunded)
        assert (event.order_id, event.item_ids) == (f"shopify-{ORDER_ID}", (str(LINE_ITEM_IDS[0]),))
        assert (event.event_id, event.reason) == ("wh-1", "refund")

    def test_a_refund_of_shipping_or_an_amount_only_is_ignored(self) -> None:
        event = verified(delivery(refunds_create(line_item_ids=()), "refunds/create"))
        assert isinstance(event, Ignored) and "names no book" in event.note

    def test_a_refund_of_custom_items_only_is_ignored(self) -> None:
        payload = refunds_create(line_item_ids=(LINE_ITEM_IDS[1],), variant_ids=(None,))
        assert isinstance(verified(delivery(payload, "refunds/create")), Ignored)


@pytest.mark.parametrize("topic", ["orders/create", "app/uninstalled", "customers/redact"])
def test_other_topics_are_ignored(topic: str) -> None:
    event = verified(delivery(orders_paid(), topic))
    assert event == Ignored(event_type=topic, event_id="wh-1")


def _signed(body: bytes, topic: str = "orders/paid", *, dated: bool = True) -> WebhookRequest:
    headers = shopify_headers(body, SECRET, topic, webhook_id="wh-1")
    if not dated:
        del headers["X-Shopify-Triggered-At"]
    return request(body, headers)


def _order(**changes: Any) -> bytes:
    return shopify_body(orders_paid() | changes)


def _line(**changes: Any) -> bytes:
    line = orders_paid()["line_items"][0] | changes
    return shopify_body(orders_paid() | {"line_items": [line]})


INVALID = {
    "not json": (_signed(b"{not json"), "not JSON"),
    "not utf-8": (_signed(b'{"id": "\xff"}'), "not JSON"),
    "a list": (_signed(b"[]"), "not a JSON object"),
    "no line items": (_signed(_order(line_items=None)), "line_items"),
    "a line that is a number": (_signed(_order(line_items=[7])), "line_items[0]"),
    "no line item id": (_signed(_line(id=None)), "line_items[0].id"),
    "variant id rounded to a float": (_signed(_line(variant_id=8.0895081e8)), "variant_id"),
    "order id a bool": (_signed(_order(id=True)), "id is missing"),
    "no email at all": (_signed(_order(email="", customer=None)), "names no buyer"),
    "two addresses": (_signed(_order(email="a@example.com, b@example.com")), "single email"),
    "no time": (_signed(_order(created_at=None), dated=False), "neither processed_at"),
    "refund without order id": (
        _signed(shopify_body(refunds_create() | {"order_id": None}), "refunds/create"),
        "order_id",
    ),
    "refund body under orders/paid": (
        _signed(shopify_body(refunds_create()), "orders/paid"),
        "line_items is missing",
    ),
    "order body under refunds/create": (
        _signed(shopify_body(orders_paid()), "refunds/create"),
        "order_id is missing",
    ),
}


@pytest.mark.parametrize(("req", "reason"), INVALID.values(), ids=INVALID.keys())
def test_a_signed_but_unreadable_delivery_is_an_event_error(
    req: WebhookRequest, reason: str
) -> None:
    assert reason in unreadable(req)


@pytest.mark.parametrize("order_id", ["../../etc", "a/b", "x" * 130, "has space"])
def test_an_order_id_that_cannot_be_a_name_is_an_event_error(order_id: str) -> None:
    assert "order_id" in unreadable(_signed(_order(id=order_id)))


def test_a_triggered_at_header_dates_an_order_without_times() -> None:
    body = _order(created_at=None)
    headers = shopify_headers(body, SECRET, "orders/paid")
    event = verified(request(body, headers))
    assert event.occurred_at == headers["X-Shopify-Triggered-At"]
