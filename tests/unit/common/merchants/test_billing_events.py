"""Reading verified Paddle Billing notifications as our messages."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import EventError, Ignored, parse_billing_event
from common.messages import (
    ItemsRefunded,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
    decode,
    encode,
)
from tests.support.paddle_payloads import (
    adjustment_item,
    billing_adjustment,
    billing_body,
    billing_transaction_completed,
)


def test_transaction_completed_is_a_paid_order():
    event = parse_billing_event(
        billing_body(
            billing_transaction_completed(
                "txn_01", "ctm_01", price_ids=("pri_a",), product_ids=("pro_a",), event_id="evt_1"
            )
        )
    )
    assert event == OrderPaid(
        order_id="txn_01",
        product_ids=("paddle:pri_a", "paddle:pro_a"),
        merchant="paddle",
        event_id="evt_1",
        occurred_at="2024-04-12T10:18:49.621022Z",
        source="billing",
        customer_id="ctm_01",
        items=(PaidItem("txnitm_0100", ("paddle:pri_a", "paddle:pro_a")),),
    )


def test_a_paid_order_without_line_items_still_parses():
    payload = billing_transaction_completed()
    del payload["data"]["details"]["line_items"]
    event = parse_billing_event(billing_body(payload))
    assert isinstance(event, OrderPaid) and event.items == ()


def test_a_lone_surrogate_in_a_signed_body_is_an_event_error():
    body = billing_body(billing_transaction_completed("txn_01")).replace(
        b'"txn_01"', b'"txn_\\ud800"'
    )
    with pytest.raises(EventError, match="order_id holds characters that cannot travel"):
        parse_billing_event(body)


def test_paid_order_names_every_price_and_product_once():
    payload = billing_transaction_completed(
        price_ids=("pri_pdf", "pri_epub", "pri_bundle"),
        product_ids=("pro_book", "pro_book", "pro_extras"),
    )
    event = parse_billing_event(billing_body(payload))
    assert isinstance(event, OrderPaid)
    assert event.paddle_ids == ("pri_pdf", "pro_book", "pri_epub", "pri_bundle", "pro_extras")


def test_paid_order_survives_the_message_contract():
    event = parse_billing_event(billing_body(billing_transaction_completed()))
    assert isinstance(event, OrderPaid)
    assert decode(encode(event)) == event


@pytest.mark.parametrize("event_type", ["adjustment.created", "adjustment.updated"])
@pytest.mark.parametrize("action", ["refund", "chargeback"])
def test_approved_refund_or_chargeback_revokes_the_order(event_type, action):
    payload = billing_adjustment("txn_01", action, "approved", event_type=event_type)
    event = parse_billing_event(billing_body(payload))
    assert event == OrderRevoked(
        order_id="txn_01",
        event_id=payload["event_id"],
        occurred_at=payload["occurred_at"],
        reason=action,
    )


IGNORED_ADJUSTMENTS = {
    "refund pending approval": ("refund", "pending_approval"),
    "refund rejected": ("refund", "rejected"),
    "refund reversed": ("refund", "reversed"),
    "credit": ("credit", "approved"),
    "credit reverse": ("credit_reverse", "approved"),
    "chargeback warning": ("chargeback_warning", "approved"),
    "chargeback reverse pending": ("chargeback_reverse", "pending_approval"),
    "chargeback warning reverse": ("chargeback_warning_reverse", "approved"),
}


def refund(adjustment_type: str | None, item_types: list[str]) -> dict[str, Any]:
    payload = billing_adjustment("txn_1", "refund", "approved")
    payload["data"]["type"] = adjustment_type
    if adjustment_type is None:
        del payload["data"]["type"]  # the API before December 2024 had no top-level type
    payload["data"]["items"] = [
        adjustment_item(f"txnitm_{n}", t, n) for n, t in enumerate(item_types)
    ]
    return payload


@pytest.mark.parametrize(
    ("adjustment_type", "item_types"),
    [("full", []), ("full", ["full", "full"]), ("full", ["partial"])],
    ids=["no-items", "every-item", "the-top-level-type-decides"],
)
def test_a_full_refund_revokes_the_whole_order(adjustment_type, item_types):
    event = parse_billing_event(billing_body(refund(adjustment_type, item_types)))
    assert isinstance(event, OrderRevoked) and event.reason == "refund"


@pytest.mark.parametrize(
    ("adjustment_type", "item_types", "refunded"),
    [
        ("partial", ["full", "full"], ("txnitm_0", "txnitm_1")),  # one book of two, each in full
        ("partial", ["full"], ("txnitm_0",)),
        ("partial", ["full", "partial"], ("txnitm_0",)),  # the partly refunded one stays
        (None, ["full"], ("txnitm_0",)),  # no top-level type: the items decide
    ],
)
def test_items_refunded_in_full_revoke_only_their_files(adjustment_type, item_types, refunded):
    payload = refund(adjustment_type, item_types)
    event = parse_billing_event(billing_body(payload))
    assert event == ItemsRefunded(
        order_id="txn_1",
        item_ids=refunded,
        event_id=payload["event_id"],
        occurred_at=payload["occurred_at"],
        reason="refund",
    )


@pytest.mark.parametrize(
    ("adjustment_type", "item_types"),
    [("partial", ["partial"]), ("partial", ["tax", "proration"]), ("partial", []), (None, [])],
)
def test_a_refund_of_part_of_the_money_keeps_every_copy(adjustment_type, item_types):
    event = parse_billing_event(billing_body(refund(adjustment_type, item_types)))
    assert isinstance(event, Ignored)
    assert "stay valid" in event.note


def test_an_approved_chargeback_reverse_restores_the_order():
    payload = billing_adjustment("txn_1", "chargeback_reverse", "approved")
    assert parse_billing_event(billing_body(payload)) == OrderRestored(
        order_id="txn_1",
        event_id=payload["event_id"],
        occurred_at=payload["occurred_at"],
        reason="chargeback_reverse",
    )


def test_a_partial_chargeback_still_revokes():
    payload = billing_adjustment("txn_1", "chargeback", "approved")
    payload["data"]["type"] = "partial"
    assert isinstance(parse_billing_event(billing_body(payload)), OrderRevoked)


@pytest.mark.parametrize(
    ("action", "status"), IGNORED_ADJUSTMENTS.values(), ids=IGNORED_ADJUSTMENTS.keys()
)
def test_other_adjustments_are_ignored(action, status):
    payload = billing_adjustment(action=action, status=status)
    assert parse_billing_event(billing_body(payload)) == Ignored(
        "adjustment.updated", payload["event_id"]
    )


@pytest.mark.parametrize(
    "event_type",
    ["transaction.paid", "transaction.created", "subscription.created", "customer.updated"],
)
def test_other_event_types_are_ignored(event_type):
    payload = {"event_id": "evt_9", "event_type": event_type, "occurred_at": "x", "data": {}}
    assert parse_billing_event(json.dumps(payload).encode()) == Ignored(event_type, "evt_9")


def test_body_with_utf8_bom_parses():
    body = b"\xef\xbb\xbf" + billing_body(billing_transaction_completed())
    assert isinstance(parse_billing_event(body), OrderPaid)


def _paid_without(path: str) -> dict[str, Any]:
    """A transaction.completed payload with the field at a dotted path removed."""
    payload = billing_transaction_completed()
    *parents, leaf = path.split(".")
    node: Any = payload
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    del node[leaf]
    return payload


def _paid_with(path: str, value: Any) -> dict[str, Any]:
    payload = _paid_without(path)
    *parents, leaf = path.split(".")
    node: Any = payload
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[leaf] = value
    return payload


def _adjustment_without(key: str) -> dict[str, Any]:
    payload = billing_adjustment()
    del payload["data"][key]
    return payload


BAD_BODIES = {
    "empty": (b"", "body is not JSON"),
    "not json": (b"event_type=transaction.completed", "body is not JSON"),
    "truncated json": (billing_body(billing_transaction_completed())[:-1], "body is not JSON"),
    "not utf-8": (b'{"event_type": "\xff"}', "body is not JSON"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "body is not JSON"),
    "json array": (b"[]", "body is not a JSON object"),
    "json string": (b'"transaction.completed"', "body is not a JSON object"),
}


@pytest.mark.parametrize(("body", "message"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_unreadable_body_is_an_event_error(body, message):
    with pytest.raises(EventError, match=message):
        parse_billing_event(body)


BAD_EVENTS = {
    "no event_type": (_paid_without("event_type"), "event_type"),
    "no event_id": (_paid_without("event_id"), "event_id"),
    "numeric event_id": (_paid_with("event_id", 7), "event_id"),
    "blank event_id": (_paid_with("event_id", ""), "event_id"),
    "no occurred_at": (_paid_without("occurred_at"), "occurred_at"),
    "no data": (_paid_without("data"), "data is missing"),
    "data is a list": (_paid_with("data", []), "data is missing"),
    "no transaction id": (_paid_without("data.id"), "data.id"),
    "no customer id": (_paid_without("data.customer_id"), "data.customer_id"),
    "null customer id": (_paid_with("data.customer_id", None), "data.customer_id"),
    "no items": (_paid_without("data.items"), "data.items"),
    "empty items": (_paid_with("data.items", []), "data.items"),
    "items not a list": (_paid_with("data.items", {"0": {}}), "data.items"),
    "item not an object": (_paid_with("data.items", ["pri_a"]), r"data.items\[0\].price"),
    "item without price": (_paid_without("data.items.0.price"), r"data.items\[0\].price"),
    "price without id": (_paid_without("data.items.0.price.id"), r"price.id"),
    "price without product": (_paid_without("data.items.0.price.product_id"), "product_id"),
    "adjustment without transaction": (
        _adjustment_without("transaction_id"),
        "data.transaction_id",
    ),
    "adjustment without action": (_adjustment_without("action"), "data.action"),
    "adjustment without status": (_adjustment_without("status"), "data.status"),
}


@pytest.mark.parametrize(("payload", "field"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_missing_or_wrong_field_is_an_event_error(payload, field):
    with pytest.raises(EventError, match=field):
        parse_billing_event(json.dumps(payload).encode())


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_event_error(body):
    with contextlib.suppress(EventError):
        parse_billing_event(body)


@given(
    event_type=st.sampled_from(
        ["transaction.completed", "adjustment.created", "adjustment.updated", "other"]
    ),
    data=_JSON,
    event_id=_JSON,
)
def test_random_payload_shapes_raise_only_event_error(event_type, data, event_id):
    payload = {"event_type": event_type, "event_id": event_id, "occurred_at": "t", "data": data}
    with contextlib.suppress(EventError):
        parse_billing_event(json.dumps(payload).encode())
