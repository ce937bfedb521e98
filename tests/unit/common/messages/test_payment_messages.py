"""The contract's Stripe additions: a sale naming no products yet, and messages about a payment."""

from __future__ import annotations

import json

import pytest

from common.messages import (
    Buyer,
    ContractError,
    OrderPaid,
    PaymentRestored,
    PaymentRevoked,
    attributes_of,
    decode,
    encode,
)

BUYER = Buyer("Ada Lovelace", "ada@example.com")


def paid(**changes) -> OrderPaid:
    fields = {
        "order_id": "stripe-cs_test_1",
        "product_ids": (),
        "event_id": "evt_1",
        "occurred_at": "2026-01-01T00:00:00Z",
        "merchant": "stripe",
        "buyer": BUYER,
        "lookup_ref": "cs_test_1",
        "payment_ref": "pi_1",
    }
    return OrderPaid(**(fields | changes))


def test_a_sale_with_a_lookup_ref_may_name_no_products():
    message = paid()
    assert message.product_ids == ()
    assert decode(encode(message)) == message


def test_a_sale_without_products_needs_a_lookup_ref():
    with pytest.raises(ContractError, match="product_ids"):
        paid(lookup_ref="")


def test_named_products_are_still_checked_beside_a_lookup_ref():
    with pytest.raises(ContractError, match="merchant:id"):
        paid(product_ids=("price_1",))


def test_an_order_paid_from_before_the_refs_reads_with_them_blank():
    body = json.loads(encode(paid(product_ids=("stripe:price_1",))))
    del body["lookup_ref"], body["payment_ref"]
    message = decode(json.dumps(body).encode())
    assert isinstance(message, OrderPaid) and (message.lookup_ref, message.payment_ref) == ("", "")


@pytest.mark.parametrize("ref", ["pi/../x", "..", "pi 1", "p" * 129, "pi\x00x"])
def test_a_ref_that_cannot_name_an_object_is_refused(ref):
    with pytest.raises(ContractError):
        paid(payment_ref=ref)


@pytest.mark.parametrize("kind", [PaymentRevoked, PaymentRestored])
def test_payment_messages_travel_and_say_what_they_are(kind):
    message = kind("stripe", "pi_1", "evt_2", "2026-01-01T00:00:00Z", "refund")
    assert decode(encode(message)) == message
    assert attributes_of(message)["type"] == kind.TYPE
    assert attributes_of(message)["version"] == "2"


def test_a_payment_message_names_its_payment():
    with pytest.raises(ContractError, match="payment_ref"):
        PaymentRevoked("stripe", "", "evt_2", "2026-01-01T00:00:00Z", "refund")


def test_a_payment_message_names_a_safe_merchant():
    with pytest.raises(ContractError, match="merchant"):
        PaymentRevoked("../stripe", "pi_1", "evt_2", "2026-01-01T00:00:00Z", "refund")


def test_one_revocation_per_payment_and_one_restoration_per_event():
    revoked = PaymentRevoked("stripe", "pi_1", "evt_2", "t", "refund")
    again = PaymentRevoked("stripe", "pi_1", "evt_3", "t", "chargeback")
    assert revoked.idempotency_key == again.idempotency_key == "payment-revoked:stripe:pi_1"
    restored = PaymentRestored("stripe", "pi_1", "evt_4", "t", "dispute_won")
    assert restored.idempotency_key == "payment-restored:stripe:pi_1:evt_4"
