"""Reading verified Paddle Classic forms as our messages."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import EventError, Ignored, parse_classic_event
from common.messages import Buyer, OrderPaid, OrderRestored, OrderRevoked, decode, encode
from tests.support.paddle_payloads import (
    classic_dispute,
    classic_fulfilment,
    classic_payment_succeeded,
    classic_refund,
)


def test_payment_succeeded_is_a_paid_order_with_its_buyer():
    fields = classic_payment_succeeded("4021307-1", "552312", "zoe@example.com", "Zoë Ångström")
    assert parse_classic_event(fields) == OrderPaid(
        order_id="4021307-1",
        product_ids=("paddle:552312",),
        merchant="paddle",
        event_id=fields["alert_id"],
        occurred_at="2024-04-12T10:18:49Z",
        source="classic",
        buyer=Buyer(name="Zoë Ångström", email="zoe@example.com"),
    )


def test_fulfilment_webhook_is_a_paid_order_with_its_buyer():
    fields = classic_fulfilment("4021307-2", "552313", "ada@example.com", "Ada Lovelace")
    assert parse_classic_event(fields) == OrderPaid(
        order_id="4021307-2",
        product_ids=("paddle:552313",),
        merchant="paddle",
        event_id="fulfilment:4021307-2",
        occurred_at="2024-04-12T10:18:49Z",
        source="classic",
        buyer=Buyer(name="Ada Lovelace", email="ada@example.com"),
    )


@pytest.mark.parametrize("build", [classic_payment_succeeded, classic_fulfilment])
def test_paid_order_survives_the_message_contract(build):
    event = parse_classic_event(build())
    assert isinstance(event, OrderPaid)
    assert decode(encode(event)) == event


@pytest.mark.parametrize("build", [classic_payment_succeeded, classic_fulfilment])
@pytest.mark.parametrize("name", ["", "   "], ids=["blank", "spaces"])
def test_blank_name_falls_back_to_the_email(build, name):
    # Paddle leaves customer_name blank for Apple Pay, wire transfers and the like.
    event = parse_classic_event(build(email="ada@example.com", customer_name=name))
    assert isinstance(event, OrderPaid)
    assert event.buyer == Buyer(name="ada@example.com", email="ada@example.com")


def test_fulfilment_without_the_email_field_waits_for_its_alert():
    # Paddle sends email and customer_name only when the author ticks them in the
    # product's webhook editor: the order is kept and payment_succeeded names the buyer.
    fields = classic_fulfilment("4021307-3", "552312")
    del fields["email"], fields["customer_name"], fields["marketing_consent"]
    event = parse_classic_event(fields)
    assert event == OrderPaid(
        order_id="4021307-3",
        product_ids=("paddle:552312",),
        merchant="paddle",
        event_id="fulfilment:4021307-3",
        occurred_at="2024-04-12T10:18:49Z",
        source="classic",
    )
    assert decode(encode(event)) == event


@pytest.mark.parametrize("build", [classic_payment_succeeded, classic_fulfilment])
@pytest.mark.parametrize(
    ("typed", "kept"),
    [("Eve\r\nBcc: x@evil.example", "Eve Bcc: x@evil.example"), ("Ada\x00", "Ada")],
    ids=["crlf", "nul"],
)
def test_the_name_is_normalised_where_the_message_is_made(build, typed, kept):
    event = parse_classic_event(build(customer_name=typed))
    assert isinstance(event, OrderPaid) and event.buyer is not None
    assert event.buyer.name == kept


def test_a_dispute_revokes_the_order_as_a_chargeback():
    fields = classic_dispute("4021307-1")
    assert parse_classic_event(fields) == OrderRevoked(
        order_id="4021307-1",
        event_id=fields["alert_id"],
        occurred_at="2024-04-12T10:18:49Z",
        reason="chargeback",
    )


def test_a_dispute_closed_in_our_favour_restores_the_order():
    fields = classic_dispute("4021307-1", alert_name="payment_dispute_closed", status="closed")
    assert parse_classic_event(fields) == OrderRestored(
        order_id="4021307-1",
        event_id=fields["alert_id"],
        occurred_at="2024-04-12T10:18:49Z",
        reason="dispute_won",
    )


def test_a_dispute_closed_with_another_status_changes_nothing():
    fields = classic_dispute(alert_name="payment_dispute_closed", status="lost")
    event = parse_classic_event(fields)
    assert isinstance(event, Ignored) and "lost" in event.note


def test_fulfilment_without_name_field_falls_back_to_the_email():
    fields = classic_fulfilment(email="ada@example.com")
    del fields["customer_name"]
    event = parse_classic_event(fields)
    assert isinstance(event, OrderPaid)
    assert event.buyer == Buyer(name="ada@example.com", email="ada@example.com")


@pytest.mark.parametrize(
    ("event_time", "occurred_at"),
    [
        ("2024-04-12 10:18:49", "2024-04-12T10:18:49Z"),
        ("2024-04-12T10:18:49", "2024-04-12T10:18:49Z"),
        ("2024-04-12T12:18:49+02:00", "2024-04-12T10:18:49Z"),
    ],
)
def test_event_time_becomes_rfc3339_utc(event_time, occurred_at):
    event = parse_classic_event(classic_payment_succeeded(event_time=event_time))
    assert isinstance(event, OrderPaid)
    assert event.occurred_at == occurred_at


def test_a_full_refund_revokes_the_order():
    fields = classic_refund("4021307-1", refund_type="full")
    assert parse_classic_event(fields) == OrderRevoked(
        order_id="4021307-1",
        event_id=fields["alert_id"],
        occurred_at="2024-04-12T10:18:49Z",
        reason="refund",
    )


@pytest.mark.parametrize("refund_type", ["partial", "vat"])
def test_a_partial_or_vat_only_refund_keeps_the_copies(refund_type):
    fields = classic_refund(refund_type=refund_type)
    event = parse_classic_event(fields)
    assert isinstance(event, Ignored)
    assert (event.event_type, event.event_id) == ("payment_refunded", fields["alert_id"])
    assert "stay valid" in event.note


@pytest.mark.parametrize(
    "alert_name",
    [
        "locker_processed",
        "subscription_created",
        "subscription_payment_succeeded",
        "high_risk_transaction_created",
    ],
)
def test_other_alerts_are_ignored(alert_name):
    fields = {"alert_name": alert_name, "alert_id": "77"}
    assert parse_classic_event(fields) == Ignored(alert_name, "77")


def _without(fields: dict[str, str], *keys: str) -> dict[str, str]:
    return {k: v for k, v in fields.items() if k not in keys}


def _with(fields: dict[str, str], **changes: str) -> dict[str, str]:
    return {**fields, **changes}


_PAID = classic_payment_succeeded()
_FULFIL = classic_fulfilment()
_REFUND = classic_refund()

BAD_FORMS = {
    "no alert_name nor p_order_id": (_without(_FULFIL, "p_order_id"), "neither alert_name"),
    "empty form": ({}, "neither alert_name"),
    "paid without order_id": (_without(_PAID, "order_id"), "order_id"),
    "paid with blank order_id": (_with(_PAID, order_id=" "), "order_id"),
    "paid without product_id": (_without(_PAID, "product_id"), "product_id"),
    "paid without email": (_without(_PAID, "email"), "email"),
    "paid with blank email": (_with(_PAID, email=""), "email"),
    "paid with a non-email": (_with(_PAID, email="ada"), "email is not an email"),
    "paid with two addresses": (_with(_PAID, email="a@x.com, b@y.com"), "email is not an email"),
    "paid with a display name": (_with(_PAID, email="A <a@x.com>"), "email is not an email"),
    "paid with a surrogate id": (_with(_PAID, order_id="1-\ud800"), "order_id"),
    "paid without alert_id": (_without(_PAID, "alert_id"), "alert_id"),
    "paid without event_time": (_without(_PAID, "event_time"), "event_time"),
    "paid with a bad event_time": (_with(_PAID, event_time="yesterday"), "event_time"),
    "paid with an out-of-range event_time": (
        _with(_PAID, event_time="0001-01-01T00:00:00+01:00"),
        "event_time",
    ),
    "fulfilment without p_order_id value": (_with(_FULFIL, p_order_id=""), "p_order_id"),
    "fulfilment without p_product_id": (_without(_FULFIL, "p_product_id"), "p_product_id"),
    "fulfilment with a bad email": (_with(_FULFIL, email="ada"), "email is not an email"),
    "dispute without order_id": (_without(classic_dispute(), "order_id"), "order_id"),
    "fulfilment without event_time": (_without(_FULFIL, "event_time"), "event_time"),
    "refund without order_id": (_without(_REFUND, "order_id"), "order_id"),
    "refund without alert_id": (_without(_REFUND, "alert_id"), "alert_id"),
    "refund without event_time": (_without(_REFUND, "event_time"), "event_time"),
}


@pytest.mark.parametrize(("fields", "message"), BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_missing_or_wrong_field_is_an_event_error(fields, message):
    with pytest.raises(EventError, match=message):
        parse_classic_event(fields)


_KEYS = st.sampled_from(
    [
        "alert_name",
        "alert_id",
        "order_id",
        "product_id",
        "email",
        "customer_name",
        "event_time",
        "p_order_id",
        "p_product_id",
        "refund_type",
    ]
)
_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["payment_succeeded", "payment_refunded", "a@b", "2024-04-12 10:18:49"]),
)


@given(st.dictionaries(st.one_of(_KEYS, st.text(max_size=10)), _VALUES, max_size=10))
def test_random_forms_raise_only_event_error(fields):
    with contextlib.suppress(EventError):
        parse_classic_event(fields)
