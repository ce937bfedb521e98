"""Lemon Squeezy: signature checks by real signing, and each event kind parsed.

One failure per test. Lemon Squeezy publishes no test vector and ships no Python
library, so the known answers come from RFC 4231 (HMAC-SHA256 test case 2, which
pins hex HMAC-SHA256 over raw bytes) and from OpenSSL (`printf BODY | openssl
dgst -sha256 -hmac SECRET`), an implementation independent of ours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import (
    EventError,
    Ignored,
    LemonSqueezy,
    SignatureError,
    WebhookRequest,
    build_merchants,
    parse_lemonsqueezy_event,
    verify_lemonsqueezy,
)
from common.merchants._lemonsqueezy import sign_lemonsqueezy
from common.messages import OrderPaid, OrderRevoked
from common.messages._buyer_data import NAME_MAX
from common.settings import Settings
from tests.support.lemonsqueezy_payloads import (
    CREATED_AT,
    REFUNDED_AT,
    SECRET,
    VARIANT_ID,
    body_of,
    identifier,
    lower_case_headers,
    order_created,
    order_refunded,
    signed_request,
    subscription_created,
    webhook,
)

OTHER_SECRET = "lsq-the-rotated-in-secret-9876543210"
BODY = body_of(order_created())


def _verify(header: str | None, body: bytes = BODY, secrets=(SECRET,)) -> None:
    verify_lemonsqueezy(header, body, list(secrets))


def _parse(payload: dict[str, Any], *, allow_test: bool = True, header: str | None = "") -> Any:
    """Parse a payload as posted, with the X-Event-Name it names unless `header` is given."""
    event_name = payload.get("meta", {}).get("event_name") if header == "" else header
    return parse_lemonsqueezy_event(body_of(payload), event_name, allow_test=allow_test)


# Signature ---------------------------------------------------------------------------


def test_valid_signature_passes():
    _verify(sign_lemonsqueezy(BODY, SECRET))


def test_rfc_4231_known_answer_vector():
    # RFC 4231 section 4.3, test case 2: key "Jefe", data "what do ya want for nothing?".
    digest = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    verify_lemonsqueezy(digest, b"what do ya want for nothing?", ["Jefe"])


def test_openssl_known_answer_vector():
    body = b'{"meta":{"event_name":"order_created"},"data":{"type":"orders","id":"1"}}'
    digest = "1376006f4624d71600e45d5f85e80baa52bd10aabf5c5cec7f7a75669e19e188"
    verify_lemonsqueezy(digest, body, ["lsq-test-signing-secret-0123456789"])


def test_signature_is_the_lowercase_hex_hmac_of_the_body():
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign_lemonsqueezy(BODY, SECRET) == expected


def test_uppercase_hex_passes():
    _verify(sign_lemonsqueezy(BODY, SECRET).upper())


@pytest.mark.parametrize("signed_with", [SECRET, OTHER_SECRET])
def test_a_rotation_accepts_either_secret(signed_with: str):
    _verify(sign_lemonsqueezy(BODY, signed_with), secrets=(SECRET, OTHER_SECRET))


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing X-Signature header"),
        ("", "missing X-Signature header"),
        ("z" * 64, "X-Signature is not a SHA-256 hex digest"),
        ("ab" * 31 + "a", "X-Signature is not a SHA-256 hex digest"),  # 63 digits
        ("ab" * 20, "X-Signature is not a SHA-256 hex digest"),  # SHA-1 length
        ("sha256=" + "ab" * 32, "X-Signature is not a SHA-256 hex digest"),
        (" " + "ab" * 32, "X-Signature is not a SHA-256 hex digest"),
        ("ab" * 32 + "," + "cd" * 32, "X-Signature is not a SHA-256 hex digest"),
        ("ab" * 32 + "\n", "X-Signature is not a SHA-256 hex digest"),
    ],
    ids=["none", "empty", "not-hex", "63-digits", "sha1", "prefixed", "padded", "two", "newline"],
)
def test_a_malformed_header_is_refused_with_its_reason(header: str | None, reason: str):
    with pytest.raises(SignatureError) as caught:
        _verify(header)
    assert caught.value.reason == reason


def test_a_forged_signature_is_refused():
    with pytest.raises(SignatureError, match="no matching signature"):
        _verify(sign_lemonsqueezy(BODY, "an-attacker-guess"))


def test_a_signature_under_a_retired_secret_is_refused():
    with pytest.raises(SignatureError, match="no matching signature"):
        _verify(sign_lemonsqueezy(BODY, OTHER_SECRET), secrets=(SECRET,))


def test_a_reserialised_body_is_refused():
    reserialised = json.dumps(json.loads(BODY), indent=1).encode()
    with pytest.raises(SignatureError, match="no matching signature"):
        _verify(sign_lemonsqueezy(BODY, SECRET), body=reserialised)


def test_one_changed_byte_is_refused():
    tampered = BODY.replace(b'"paid"', b'"pa1d"')
    with pytest.raises(SignatureError, match="no matching signature"):
        _verify(sign_lemonsqueezy(BODY, SECRET), body=tampered)


def test_without_a_secret_nothing_verifies():
    with pytest.raises(SignatureError, match="no webhook secret configured"):
        _verify(sign_lemonsqueezy(BODY, SECRET), secrets=())


def test_a_replay_verifies_because_the_scheme_has_no_timestamp():
    # Lemon Squeezy signs the body only (help/webhooks/signing-requests); a replay can
    # only repeat a sale or refund, and the worker is idempotent per order id.
    header = sign_lemonsqueezy(BODY, SECRET)
    _verify(header)
    _verify(header)


def test_the_merchant_reads_the_header_in_any_casing():
    body, headers = signed_request(order_created())
    request = WebhookRequest.of(body, lower_case_headers(headers).items())
    LemonSqueezy((SECRET,)).verify(request)


@given(st.binary(max_size=2000))
def test_any_body_signed_verifies_and_its_neighbour_does_not(body: bytes):
    header = sign_lemonsqueezy(body, SECRET)
    _verify(header, body=body)
    with pytest.raises(SignatureError):
        _verify(header, body=body + b" ")


# Sales ------------------------------------------------------------------------------


def test_a_paid_order_is_a_sale_of_its_variant():
    event = _parse(order_created("1842701"))
    assert event == OrderPaid(
        order_id="lemonsqueezy-1842701",
        product_ids=(f"lemonsqueezy:{VARIANT_ID}",),
        event_id=f"order_created:{identifier('1842701')}",
        occurred_at=CREATED_AT,
        merchant="lemonsqueezy",
        buyer=event.buyer,
    )
    assert (event.buyer.name, event.buyer.email) == ("Ada Lovelace", "ada@example.com")


def test_a_redelivery_parses_to_the_same_message():
    body, headers = signed_request(order_created())
    merchant = LemonSqueezy((SECRET,))
    first = merchant.parse(WebhookRequest.of(body, headers.items()))
    again = merchant.parse(WebhookRequest.of(body, lower_case_headers(headers).items()))
    assert first == again


@pytest.mark.parametrize("status", ["pending", "failed", "refunded", "fraudulent"])
def test_an_order_that_is_not_paid_is_ignored(status: str):
    event = _parse(order_created(status=status))
    assert isinstance(event, Ignored)
    assert event.event_type == "order_created"
    assert status in event.note


def test_a_test_mode_sale_is_delivered_by_default():
    assert isinstance(_parse(order_created(test_mode=True)), OrderPaid)


def test_a_test_mode_sale_is_ignored_with_a_warning_when_tests_are_refused(caplog):
    caplog.set_level(logging.INFO, logger="common.merchants._lemonsqueezy")
    event = _parse(order_created(test_mode=True), allow_test=False)
    assert isinstance(event, Ignored)
    assert "LEMONSQUEEZY_ALLOW_TEST" in event.note
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "test-mode" in warning.getMessage()


def test_a_live_sale_is_delivered_when_tests_are_refused():
    assert isinstance(_parse(order_created(test_mode=False), allow_test=False), OrderPaid)


@pytest.mark.parametrize("test_mode", [True, False])
def test_test_mode_is_logged(caplog, test_mode: bool):
    caplog.set_level(logging.INFO, logger="common.merchants._lemonsqueezy")
    _parse(order_created(test_mode=test_mode))
    assert [r.test_mode for r in caplog.records] == [test_mode]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "custom_data",
    [
        {"exlibris_ref": "ref-0123456789abcdef"},
        {"exlibris_ref": 12, "other": {"nested": [1, None]}},
        [],
        "a string",
        {"exlibris_ref": "\r\nBcc: x@evil.example"},
    ],
    ids=["ref", "odd-ref", "list", "string", "crlf-ref"],
)
def test_custom_data_is_accepted_and_ignored(custom_data: Any):
    assert isinstance(_parse(order_created(custom_data=custom_data)), OrderPaid)


def test_a_variant_id_sent_as_a_string_is_read():
    event = _parse(order_created(variant_id=str(VARIANT_ID)))
    assert event.product_ids == (f"lemonsqueezy:{VARIANT_ID}",)


# Refunds ----------------------------------------------------------------------------


def test_a_full_refund_revokes_the_order():
    event = _parse(order_refunded("1842701"))
    assert event == OrderRevoked(
        order_id="lemonsqueezy-1842701",
        event_id=f"order_refunded:{identifier('1842701')}",
        occurred_at=REFUNDED_AT,
        reason="refund",
        revoked_by="lemonsqueezy",
    )


def test_a_partial_refund_is_ignored_and_says_so():
    event = _parse(order_refunded("1842701", amount=500))
    assert isinstance(event, Ignored)
    assert (
        event.note == "partial refund of lemonsqueezy-1842701 (500 of 1199): the copies stay valid"
    )


def test_partial_refunds_that_reach_the_total_revoke():
    payload = order_refunded("1842701", amount=1199)
    payload["data"]["attributes"].update(status="paid", refunded=False)
    assert isinstance(_parse(payload), OrderRevoked)


@pytest.mark.parametrize(
    ("refunded", "status", "revoked"),
    [
        (True, "refunded", True),
        (False, "paid", False),
        (False, "refunded", True),
        (False, "partial_refund", False),
    ],
)
def test_without_amounts_the_flags_decide(refunded: bool, status: str, revoked: bool):
    payload = order_refunded("1842701")
    attributes = payload["data"]["attributes"]
    del attributes["refunded_amount"]
    attributes.update(refunded=refunded, status=status)
    assert isinstance(_parse(payload), OrderRevoked) is revoked


def test_a_refund_in_test_mode_revokes_even_when_tests_are_refused():
    assert isinstance(_parse(order_refunded(test_mode=True), allow_test=False), OrderRevoked)


# Other events -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_name",
    ["subscription_created", "subscription_payment_success", "license_key_created"],
)
def test_other_events_are_ignored(event_name: str):
    payload = subscription_created("338211")
    payload["meta"]["event_name"] = event_name
    event = _parse(payload)
    assert event == Ignored(event_type=event_name, event_id=f"{event_name}:338211")


def test_an_ignored_event_needs_no_order_shape():
    assert isinstance(_parse(webhook("license_key_updated", {})), Ignored)


# The event name ---------------------------------------------------------------------


def test_a_header_naming_another_event_is_refused():
    with pytest.raises(EventError, match=r"X-Event-Name does not match meta\.event_name"):
        _parse(order_created(), header="subscription_created")


def test_a_missing_event_header_is_refused():
    with pytest.raises(EventError, match="missing X-Event-Name header"):
        _parse(order_created(), header=None)


def test_the_event_header_is_read_in_any_casing():
    body, headers = signed_request(order_created())
    request = WebhookRequest.of(body, lower_case_headers(headers).items())
    assert isinstance(LemonSqueezy((SECRET,)).parse(request), OrderPaid)


# Signed but invalid -----------------------------------------------------------------


def _without(path: str):
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        del node[last]

    return change


def _set(path: str, value: Any):
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        node[last] = value

    return change


INVALID = {
    "no meta": _without("meta"),
    "no event name": _without("meta.event_name"),
    "test_mode as text": _set("meta.test_mode", "true"),
    "no data": _without("data"),
    "not an order": _set("data.type", "subscriptions"),
    "no attributes": _without("data.attributes"),
    "no order id": _without("data.id"),
    "order id null": _set("data.id", None),
    "no identifier": _without("data.attributes.identifier"),
    "no status": _without("data.attributes.status"),
    "no first item": _without("data.attributes.first_order_item"),
    "variant null": _set("data.attributes.first_order_item.variant_id", None),
    "variant true": _set("data.attributes.first_order_item.variant_id", True),
    "variant negative": _set("data.attributes.first_order_item.variant_id", -3),
    "no email": _without("data.attributes.user_email"),
    "two addresses": _set("data.attributes.user_email", "m@example.com, x@evil.example"),
    "display name": _set("data.attributes.user_email", "Mallory <m@example.com>"),
    "name a number": _set("data.attributes.user_name", 42),
    "no created_at": _without("data.attributes.created_at"),
}


@pytest.mark.parametrize("change", INVALID.values(), ids=INVALID.keys())
def test_a_signed_sale_that_cannot_be_read_is_an_event_error(change):
    payload = order_created()
    change(payload)
    with pytest.raises(EventError):
        _parse(payload, header="order_created")


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe{}", b"[" * 100_000],
    ids=["text", "array", "string", "not-utf8", "deep"],
)
def test_a_signed_body_that_is_not_a_json_object_is_an_event_error(body: bytes):
    with pytest.raises(EventError):
        parse_lemonsqueezy_event(body, "order_created")


def test_a_refund_without_a_time_is_an_event_error():
    payload = order_refunded()
    _without("data.attributes.refunded_at")(payload)
    _without("data.attributes.updated_at")(payload)
    with pytest.raises(EventError, match="refunded_at"):
        _parse(payload)


def test_a_lone_surrogate_in_an_id_is_an_event_error_not_a_crash():
    payload = order_created()
    payload["data"]["attributes"]["identifier"] = "0f8e\ud800"
    with pytest.raises(EventError, match="event_id"):
        _parse(payload)


def test_a_lone_surrogate_in_the_name_is_dropped():
    body = body_of(order_created()).replace(b'"Ada Lovelace"', b'"Ada \\ud800Lovelace"')
    assert parse_lemonsqueezy_event(body, "order_created").buyer.name == "Ada Lovelace"


@pytest.mark.parametrize(
    "their_id", ["../etc", "a/b", "x" * 120, "12 34", "%2e%2e", "ordér", "1\n2"]
)
def test_an_order_id_that_cannot_be_a_name_is_an_event_error(their_id: str):
    with pytest.raises(EventError, match="order_id"):
        _parse(order_created(their_id))


# Hostile buyer data, accepted and normalised ---------------------------------------


def test_crlf_in_the_name_is_accepted_and_flattened():
    event = _parse(order_created(name="Eve\r\nBcc: x@evil.example"))
    assert event.buyer.name == "Eve Bcc: x@evil.example"


def test_a_huge_name_is_accepted_and_cut():
    event = _parse(order_created(name="Ada " * 2500))
    assert len(event.buyer.name) == NAME_MAX and event.buyer.name.endswith("…")


def test_nul_and_line_separators_are_removed_from_the_name():
    event = _parse(order_created(name="Ada\x00Love\u2028lace"))
    assert "\x00" not in event.buyer.name and "\u2028" not in event.buyer.name


@pytest.mark.parametrize("name", [None, ""])
def test_a_missing_name_falls_back_to_the_email(name: Any):
    assert _parse(order_created(name=name)).buyer.name == "ada@example.com"


def test_an_international_address_is_kept_in_one_spelling():
    assert _parse(order_created(email="zoë@bücher.de")).buyer.email == "zoë@bücher.de"


# Settings and registry --------------------------------------------------------------


def _settings(tmp_path, **env: str) -> Settings:
    return Settings.from_env({"LOCAL_DATA_DIR": str(tmp_path), **env})


def test_off_without_a_secret(tmp_path):
    assert LemonSqueezy.from_settings(_settings(tmp_path)) is None
    assert "lemonsqueezy" not in build_merchants(_settings(tmp_path))


def test_on_with_every_secret_of_a_rotation(tmp_path):
    settings = _settings(
        tmp_path,
        LEMONSQUEEZY_WEBHOOK_SECRET=f"{SECRET},{OTHER_SECRET}",
        LEMONSQUEEZY_ALLOW_TEST="false",
    )
    merchant = build_merchants(settings)["lemonsqueezy"]
    assert merchant == LemonSqueezy((SECRET, OTHER_SECRET), allow_test=False)
    assert (merchant.prefix, merchant.content_types) == ("lemonsqueezy", ("application/json",))
    assert merchant.reply(WebhookRequest(b"{}"), Ignored("x", "y"), "Shop") is None
