"""The checkout reference each store's sale carries to /thanks?ref=…, and what the contract keeps.

Stripe's is the Checkout Session id; Paddle Billing's is `data.custom_data.exlibris_ref`
(Paddle.js `customData`); Lemon Squeezy's is `meta.custom_data.exlibris_ref`
(`checkout[custom][exlibris_ref]`). The buyer's browser wrote the last two, so a missing,
short or odd reference is dropped and the sale still goes through.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from common.merchants import parse_billing_event, parse_lemonsqueezy_event, parse_stripe_event
from common.messages import OrderPaid, decode, encode
from tests.support.lemonsqueezy_payloads import body_of, order_created
from tests.support.paddle_payloads import billing_body, billing_transaction_completed
from tests.support.stripe_payloads import event, session, stripe_body

REF = "f3Zq9-Lk2_x7Pw0aQe4R"  # what a shop page makes: crypto.randomUUID() or 20 random chars


def paddle_sale(custom_data: Any) -> OrderPaid:
    payload = billing_transaction_completed()
    payload["data"]["custom_data"] = custom_data
    sale = parse_billing_event(billing_body(payload))
    assert isinstance(sale, OrderPaid)
    return sale


def lemonsqueezy_sale(custom_data: Any) -> OrderPaid:
    sale = parse_lemonsqueezy_event(
        body_of(order_created(custom_data=custom_data)), "order_created"
    )
    assert isinstance(sale, OrderPaid)
    return sale


def test_a_stripe_sale_is_found_by_its_checkout_session_id() -> None:
    session_id = "cs_live_b1Xq2mN3oP4qR5sT6uV7wX8yZ9aB0cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV0wX1"
    sale = parse_stripe_event(stripe_body(event("checkout.session.completed", session(session_id))))
    assert isinstance(sale, OrderPaid)
    assert sale.checkout_ref == session_id == sale.lookup_ref


def test_a_paddle_sale_carries_the_custom_data_reference() -> None:
    assert paddle_sale({"exlibris_ref": REF, "utm_source": "newsletter"}).checkout_ref == REF


def test_a_lemonsqueezy_sale_carries_the_custom_data_reference() -> None:
    assert lemonsqueezy_sale({"exlibris_ref": REF}).checkout_ref == REF


@pytest.mark.parametrize(
    "custom_data",
    [
        None,  # Paddle: "object or null"
        {},
        {"user_id": "123"},  # another integration's data
        {"exlibris_ref": "short-ref-15chr"},  # 15 characters guard nothing
        {"exlibris_ref": REF + "/../orders"},  # would name another object
        {"exlibris_ref": REF + " <script>"},
        {"exlibris_ref": "x" * 129},
        {"exlibris_ref": 12345678901234567890},  # not text
        {"exlibris_ref": [REF]},
        "exlibris_ref",  # custom data that is not an object
    ],
    ids=lambda v: json.dumps(v)[:40],
)
def test_an_unusable_reference_is_dropped_and_the_sale_stands(custom_data: Any) -> None:
    assert paddle_sale(custom_data).checkout_ref == ""
    assert lemonsqueezy_sale(custom_data).checkout_ref == ""


def test_the_reference_travels_in_the_message() -> None:
    sale = paddle_sale({"exlibris_ref": REF})
    assert decode(encode(sale)) == sale
    assert json.loads(encode(sale))["checkout_ref"] == REF


def test_a_message_from_before_checkout_refs_still_reads() -> None:
    body = json.loads(encode(paddle_sale({"exlibris_ref": REF})))
    del body["checkout_ref"]
    message = decode(json.dumps(body).encode())
    assert isinstance(message, OrderPaid) and message.checkout_ref == ""


def test_a_sale_without_a_reference_is_sent_as_a_worker_of_before_reads_it() -> None:
    assert "checkout_ref" not in json.loads(encode(paddle_sale(None)))


def test_a_message_holding_a_bad_reference_is_read_without_it() -> None:
    body = json.loads(encode(paddle_sale(None)))
    body["checkout_ref"] = "../../orders/x"
    message = decode(json.dumps(body).encode())
    assert isinstance(message, OrderPaid) and message.checkout_ref == ""
