"""The message contract: each message round-trips; anything else is a ContractError."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.messages import (
    Buyer,
    ContractError,
    CopyRequested,
    ItemsRefunded,
    LinksRequested,
    Message,
    OrderPaid,
    OrderRestored,
    OrderRevoked,
    PaidItem,
    attributes_of,
    decode,
    encode,
    parse_envelope,
    push_envelope,
)
from common.messages._codec import VERSION

SUBSCRIPTION = "projects/p/subscriptions/orders-push"
CLASSIC_PAID = OrderPaid(
    order_id="552312-9001",
    product_ids=("paddle:552312",),
    merchant="paddle",
    event_id="9001",
    occurred_at="2024-05-01T10:00:00Z",
    source="classic",
    buyer=Buyer(name="Zoë O'Brien-Łukasz", email="zoe@example.com"),
)
BILLING_PAID = OrderPaid(
    order_id="txn_01hv8x",
    product_ids=("paddle:pri_01a", "paddle:pro_01b"),
    merchant="paddle",
    event_id="evt_01",
    occurred_at="2024-05-01T10:00:00Z",
    source="billing",
    customer_id="ctm_01",
)
BILLING_ITEMS = OrderPaid(
    order_id="txn_01hv8y",
    product_ids=("paddle:pri_01a", "paddle:pro_01b", "paddle:pri_02a"),
    merchant="paddle",
    event_id="evt_03",
    occurred_at="2024-05-01T10:00:00Z",
    source="billing",
    customer_id="ctm_01",
    items=(
        PaidItem("txnitm_1", ("paddle:pri_01a", "paddle:pro_01b")),
        PaidItem("txnitm_2", ("paddle:pri_02a",)),
    ),
)
AWAITING_BUYER = OrderPaid(
    "552312-9002", ("paddle:552312",), "f-9002", "2024-05-01T10:00:00Z", "paddle", "classic"
)
REVOKED = OrderRevoked("txn_01hv8x", "evt_02", "2024-05-02T10:00:00Z", "refund")
REFUNDED = ItemsRefunded("txn_01hv8y", ("txnitm_2",), "evt_04", "2024-05-02T10:00:00Z", "refund")
RESTORED = OrderRestored("txn_01hv8x", "evt_05", "2024-05-09T10:00:00Z", "chargeback_reverse")
COPY = CopyRequested("txn_01hv8x", 1, "req-9", "2024-05-10T10:00:00Z")
LINKS = LinksRequested("ada@example.com", "req-1", "2024-05-03T10:00:00Z")
MESSAGES = [
    CLASSIC_PAID,
    BILLING_PAID,
    BILLING_ITEMS,
    AWAITING_BUYER,
    REVOKED,
    REFUNDED,
    RESTORED,
    COPY,
    LINKS,
]
IDS = [
    "classic-paid",
    "billing-paid",
    "billing-items",
    "awaiting-buyer",
    "revoked",
    "refunded",
    "restored",
    "copy",
    "links",
]
ALL_TYPES = (
    OrderPaid | OrderRevoked | ItemsRefunded | OrderRestored | CopyRequested | LinksRequested
)


def data_of(body: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(body).encode()).decode()


def envelope_with(data: str) -> dict[str, Any]:
    return {"message": {"data": data, "messageId": "1"}, "subscription": SUBSCRIPTION}


def body_of(message: Message) -> dict[str, Any]:
    return json.loads(encode(message))


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_encode_decode_round_trip(message: Message) -> None:
    assert decode(encode(message)) == message


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_encoded_bytes_carry_type_and_version(message: Message) -> None:
    body = body_of(message)
    assert body["type"] == message.TYPE
    assert body["version"] == VERSION


def test_unicode_stays_readable_in_the_bytes() -> None:
    assert "Zoë O'Brien-Łukasz".encode() in encode(CLASSIC_PAID)


@pytest.mark.parametrize("message", MESSAGES, ids=IDS)
def test_push_envelope_parses_back(message: Message) -> None:
    envelope = parse_envelope(push_envelope(message, "msg-42", SUBSCRIPTION))
    assert envelope.message == message
    assert envelope.message_id == "msg-42"
    assert envelope.attributes == attributes_of(message)
    assert envelope.delivery_attempt is None


def test_push_envelope_has_pubsub_shape() -> None:
    body = push_envelope(LINKS, "msg-42", SUBSCRIPTION)
    assert body["subscription"] == SUBSCRIPTION
    assert body["message"]["messageId"] == body["message"]["message_id"] == "msg-42"
    assert base64.b64decode(body["message"]["data"]) == encode(LINKS)
    assert body["message"]["attributes"] == {
        "type": "links.requested",
        "version": "2",
        "idempotency_key": "links:req-1",
    }
    json.dumps(body)  # it is plain JSON


@pytest.mark.parametrize(
    ("message", "key"),
    [
        (CLASSIC_PAID, "paid:552312-9001"),
        (REVOKED, "revoked:txn_01hv8x"),
        (REFUNDED, "refunded:txn_01hv8y:evt_04"),
        (RESTORED, "restored:txn_01hv8x:evt_05"),
        (COPY, "copy:txn_01hv8x:1"),
        (LINKS, "links:req-1"),
    ],
)
def test_idempotency_keys(message: Message, key: str) -> None:
    assert message.idempotency_key == key


def test_delivery_attempt_is_read() -> None:
    body = push_envelope(REVOKED, "m", SUBSCRIPTION) | {"deliveryAttempt": 3}
    assert parse_envelope(body).delivery_attempt == 3


def test_message_id_falls_back_to_the_snake_case_field() -> None:
    body = push_envelope(REVOKED, "m-7", SUBSCRIPTION)
    del body["message"]["messageId"]
    assert parse_envelope(body).message_id == "m-7"


def changed(message: Message, **changes: Any) -> str:
    """The message's data with fields changed; a field set to ... is removed."""
    body = body_of(message) | changes
    return data_of({k: v for k, v in body.items() if v is not ...})


@pytest.mark.parametrize(
    ("envelope", "reason"),
    [
        (None, "no message"),
        ([], "no message"),
        ({}, "no message"),
        ({"message": "text"}, "no message"),
        ({"message": {}}, "no data"),
        ({"message": {"data": 5}}, "no data"),
        (envelope_with("not base64!"), "not base64"),
        (envelope_with("é" + data_of({})), "not base64"),
        ({"message": {"data": data_of({}), "attributes": ["type"]}}, "attributes"),
        ({"message": {"data": data_of({}), "attributes": "type=order.paid"}}, "attributes"),
        ({"message": {"data": data_of({}), "attributes": {"type": 5}}}, "attributes"),
        (envelope_with(base64.b64encode(b"\xff\xfe").decode()), "not JSON"),
        (envelope_with(base64.b64encode(b"{oops").decode()), "not JSON"),
        (envelope_with(data_of([1, 2])), "not a JSON object"),
        (envelope_with(data_of({"type": "order.shipped", "version": 1})), "unknown message type"),
        (envelope_with(data_of({"version": 1, "email": "a@b.c"})), "unknown message type"),
        (envelope_with(data_of({"type": ["order.paid"], "version": 1})), "unknown message type"),
        (envelope_with(changed(BILLING_PAID, version=3)), "unsupported version"),
        (envelope_with(changed(BILLING_PAID, version="1")), "unsupported version"),
        (envelope_with(changed(BILLING_PAID, version=...)), "unsupported version"),
        (envelope_with(changed(BILLING_PAID, order_id=...)), "do not match"),
        (envelope_with(changed(BILLING_PAID, product_ids=...)), "do not match"),
        (envelope_with(changed(BILLING_PAID, order_id="../../etc/passwd")), "order_id must be"),
        (envelope_with(changed(BILLING_PAID, surprise=1)), "do not match"),
        (envelope_with(changed(BILLING_PAID, customer_id=None)), "neither a buyer"),
        (envelope_with(changed(BILLING_PAID, customer_id="", buyer={})), "neither a buyer"),
        (envelope_with(changed(BILLING_PAID, buyer={"name": "Ada"})), "do not match"),
        (envelope_with(changed(REVOKED, reason=...)), "do not match"),
        (envelope_with(changed(LINKS, email=...)), "do not match"),
        (envelope_with(changed(LINKS, type="order.revoked")), "do not match"),
        (envelope_with(changed(REFUNDED, item_ids=[])), "item_ids"),
        (envelope_with(changed(REFUNDED, item_ids="txnitm_2")), "item_ids"),
        (envelope_with(changed(COPY, file_index=-1)), "file_index"),
        (envelope_with(changed(COPY, file_index=True)), "file_index"),
        (envelope_with(changed(COPY, file_index="1")), "file_index"),
        (envelope_with(changed(BILLING_ITEMS, items=[{"item_id": "x"}])), "do not match"),
        (envelope_with(changed(BILLING_ITEMS, items={"x": 1})), "items"),
        (envelope_with(changed(CLASSIC_PAID, buyer={"name": "A", "email": "a, b@x.com"})), "email"),
        (envelope_with(changed(BILLING_PAID, order_id="txn\r\n1")), "order_id"),
    ],
    ids=[
        "none",
        "array",
        "no-message",
        "message-not-object",
        "no-data",
        "data-not-string",
        "data-not-base64",
        "data-not-ascii",
        "attributes-list",
        "attributes-string",
        "attribute-not-text",
        "data-not-utf8",
        "data-not-json",
        "data-json-array",
        "unknown-type",
        "no-type",
        "unhashable-type",
        "version-3",
        "version-string",
        "version-missing",
        "paid-no-order-id",
        "paid-no-product-ids",
        "paid-order-id-a-path",
        "paid-unknown-field",
        "paid-no-buyer-or-customer",
        "paid-empty-buyer-and-customer",
        "paid-buyer-without-email",
        "revoked-no-reason",
        "links-no-email",
        "links-labelled-as-revoked",
        "refunded-no-items",
        "refunded-items-not-a-list",
        "copy-negative-index",
        "copy-bool-index",
        "copy-text-index",
        "paid-item-without-ids",
        "paid-items-not-a-list",
        "paid-buyer-two-addresses",
        "paid-order-id-with-crlf",
    ],
)
def test_contract_errors(envelope: Any, reason: str) -> None:
    with pytest.raises(ContractError, match=reason):
        parse_envelope(envelope)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(
                [
                    "order.paid",
                    "order.revoked",
                    "items.refunded",
                    "order.restored",
                    "copy.requested",
                    "links.requested",
                ]
            )
            | _JSON,
            "version": st.just(1) | _JSON,
            "order_id": _JSON,
            "paddle_ids": _JSON,
            "buyer": _JSON,
            "customer_id": _JSON,
            "email": _JSON,
            "item_ids": _JSON,
            "file_index": _JSON,
            "items": _JSON,
        },
    )
    | _JSON
)
def test_any_json_decodes_or_is_a_contract_error(body: Any) -> None:
    try:
        message = decode(json.dumps(body).encode())
    except ContractError:
        return
    assert isinstance(message, ALL_TYPES)


@given(st.binary(max_size=64))
def test_any_bytes_decode_or_are_a_contract_error(data: bytes) -> None:
    try:
        message = decode(data)
    except ContractError:
        return
    assert isinstance(message, ALL_TYPES)


def test_an_order_record_from_a_newer_version_still_reads() -> None:
    import json as _json

    from common.orders import OrderRecord

    record = OrderRecord("o1", "mailed", "T", "Ada", "ada@example.com", "CODE", "2026-01-01")
    newer = _json.loads(record.to_json()) | {"added_later": {"x": 1}}
    assert OrderRecord.from_json(_json.dumps(newer).encode()) == record


def test_an_order_paid_from_before_billing_items_still_decodes() -> None:
    """Messages in flight or dead-lettered by an older service carry no `items` (rolling deploy)."""
    message = OrderPaid("552312-1", ("paddle:552312",), "evt", "2025-01-01T00:00:00Z",
                        "paddle", "classic", Buyer("Ada Lovelace", "ada@example.com"))  # fmt: skip
    body = json.loads(encode(message))
    del body["items"]
    assert decode(json.dumps(body).encode()) == message


def test_an_order_paid_of_version_1_reads_as_a_paddle_sale() -> None:
    """Messages in flight or dead-lettered before merchants: Paddle's bare ids, no merchant."""
    old = {
        "type": "order.paid", "version": 1, "order_id": "txn_1", "paddle_ids": ["pri_1", "pro_1"],
        "event_id": "evt_1", "occurred_at": "2025-01-01T00:00:00Z", "source": "billing",
        "customer_id": "ctm_1", "items": [{"item_id": "txnitm_1", "paddle_ids": ["pri_1"]}],
    }  # fmt: skip
    message = decode(json.dumps(old).encode())
    assert isinstance(message, OrderPaid)
    assert (message.merchant, message.product_ids) == ("paddle", ("paddle:pri_1", "paddle:pro_1"))
    assert message.items == (PaidItem("txnitm_1", ("paddle:pri_1",)),)
    assert message.paddle_ids == ("pri_1", "pro_1")
    assert decode(encode(message)) == message


@pytest.mark.parametrize(
    ("sent", "kept"), [("fr", "fr"), ("pt-BR", "pt"), ("zh-Hant", ""), ("auto", ""), ("", "")]
)
def test_an_order_paid_keeps_the_buyers_language_when_we_speak_it(sent: str, kept: str) -> None:
    """The store's locale for the buyer is reduced to one of ours, or dropped, never refused."""
    message = replace(BILLING_PAID, language=sent)
    assert message.language == kept
    assert decode(encode(message)) == message
    # A sale without one is encoded as a worker of before the field reads it.
    assert ("language" in json.loads(encode(message))) == bool(kept)


@pytest.mark.parametrize(("sent", "kept"), [("es", "es"), ("pt-BR", "pt"), ("ja", ""), ("", "")])
def test_a_links_request_carries_the_page_s_language_when_we_speak_it(sent: str, kept: str) -> None:
    message = replace(LINKS, language=sent)
    assert message.language == kept
    assert decode(encode(message)) == message
    # A request without one is encoded as a worker of before the field reads it.
    assert ("language" in json.loads(encode(message))) == bool(kept)
    assert set(json.loads(encode(LINKS))) == {
        "type",
        "email",
        "request_id",
        "occurred_at",
        "version",
    }
