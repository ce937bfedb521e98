"""Stripe's merchant module: Stripe-Signature checks by real signing, then event parsing.

One failure reason per case. The known-answer vector was computed by Stripe's own
library (stripe 16.1.0, a dev dependency: `WebhookSignature.generate_signature_header`),
and the cross-checks run our signatures through its `Webhook.construct_event` and
its signatures through ours, so a misreading of the format shows up as a
disagreement here.
"""

from __future__ import annotations

import json
import time

import pytest
import stripe
from hypothesis import given
from hypothesis import strategies as st

from common.merchants import (
    EventError,
    Ignored,
    SignatureError,
    Stripe,
    WebhookRequest,
    parse_stripe_event,
    verify_stripe,
)
from common.merchants._stripe import sign_stripe
from common.messages import OrderPaid, PaymentRestored, PaymentRevoked, decode, encode
from common.settings import Settings
from tests.support.stripe_payloads import (
    CREATED,
    charge,
    dispute,
    event,
    session,
    signature_header,
    stripe_body,
)

SECRET = "whsec_exlibris_test_aSecretForTestsOnly0000"
ROLLED = "whsec_exlibris_test_theRolledSecret00000000"
TS = 1_712_917_129
SALE = event("checkout.session.completed", session(), event_id="evt_1PaidSale000000000000")
BODY = stripe_body(SALE)
SESSION_ID = SALE["data"]["object"]["id"]


def _verify(header: str | None, body: bytes = BODY, secrets=(SECRET,), now: float = TS) -> None:
    verify_stripe(header, body, list(secrets), now=now)


def _reason(header: str | None, **kwargs) -> str:
    with pytest.raises(SignatureError) as caught:
        _verify(header, **kwargs)
    return caught.value.reason


def _v1(body: bytes = BODY, secret: str = SECRET, ts: int = TS) -> str:
    return sign_stripe(body, secret, ts).split(",v1=")[1]


# --- signature ----------------------------------------------------------------------------


def test_valid_signature_passes():
    _verify(sign_stripe(BODY, SECRET, TS))


def test_known_answer_vector_from_stripe_python():
    # stripe 16.1.0: WebhookSignature.generate_signature_header(body, secret, 1700000000)
    body = b'{\n  "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",\n  "object": "event"\n}'
    header = "t=1700000000,v1=78f1d8d203541a6445508a40ea41c0018416b20c8400e70d8104dbc201859be0"
    verify_stripe(header, body, ["whsec_exlibris_known_answer"], now=1_700_000_000)
    assert sign_stripe(body, "whsec_exlibris_known_answer", 1_700_000_000) == header


def test_stripe_python_accepts_what_we_sign():
    now = int(time.time())
    header = sign_stripe(BODY, SECRET, now)
    constructed = stripe.Webhook.construct_event(BODY, header, SECRET)
    assert constructed.id == "evt_1PaidSale000000000000"


@given(st.text(max_size=200), st.integers(min_value=1, max_value=2**33))
def test_we_accept_what_stripe_python_signs(text: str, ts: int):
    body = json.dumps({"id": "evt_x", "object": "event", "text": text}, indent=2)
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, ts)
    verify_stripe(header, body.encode(), [SECRET], now=ts)


def test_stripe_python_and_we_refuse_the_same_forgery():
    now = int(time.time())
    forged = sign_stripe(BODY, "whsec_someone_else", now)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(BODY, forged, SECRET)
    assert _reason(forged, now=now) == "no matching signature"


@pytest.mark.parametrize("order", ["old first", "new first"])
def test_a_rolled_secret_signs_twice_and_either_v1_matches(order):
    header = signature_header(
        BODY, [ROLLED, SECRET] if order == "old first" else [SECRET, ROLLED], TS
    )
    _verify(header)


@pytest.mark.parametrize("signed_with", [SECRET, ROLLED])
def test_a_verifier_holding_two_secrets_accepts_either(signed_with):
    _verify(sign_stripe(BODY, signed_with, TS), secrets=(SECRET, ROLLED))


def test_a_test_mode_v0_beside_v1_is_ignored():
    _verify(signature_header(BODY, [SECRET], TS, v0=True))


def test_a_later_scheme_is_ignored_like_v0():
    _verify(f"{sign_stripe(BODY, SECRET, TS)},v2=anything")


def test_v0_alone_is_not_a_signature():
    assert _reason(f"t={TS},v0={_v1()}") == "no v1 signature"


def test_uppercase_hex_passes():
    _verify(f"t={TS},v1={_v1().upper()}")


def test_wrong_secret_is_refused():
    assert _reason(sign_stripe(BODY, "whsec_wrong", TS)) == "no matching signature"


def test_a_changed_body_is_refused():
    header = sign_stripe(BODY, SECRET, TS)
    assert _reason(header, body=BODY.replace(b"Ada", b"Eve")) == "no matching signature"


def test_a_reserialised_body_is_refused():
    header = sign_stripe(BODY, SECRET, TS)
    compact = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    assert _reason(header, body=compact) == "no matching signature"


def test_a_signature_moved_to_another_timestamp_is_refused():
    assert _reason(f"t={TS + 1},v1={_v1()}", now=TS + 1) == "no matching signature"


def test_stale_is_refused():
    assert (
        _reason(sign_stripe(BODY, SECRET, TS), now=TS + 301)
        == "timestamp outside tolerance: too old"
    )


def test_from_the_future_is_refused():
    assert (
        _reason(sign_stripe(BODY, SECRET, TS), now=TS - 301)
        == "timestamp outside tolerance: too new"
    )


@pytest.mark.parametrize("drift", [-300, 300])
def test_the_window_edges_pass(drift):
    _verify(sign_stripe(BODY, SECRET, TS), now=TS + drift)


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header_is_refused(header):
    assert _reason(header) == "missing Stripe-Signature header"


def test_no_secret_configured_is_refused():
    assert _reason(sign_stripe(BODY, SECRET, TS), secrets=()) == "no webhook secret configured"


MALFORMED = {
    "no equals": ("t", "malformed signature header"),
    "empty value": (f"t={TS},v1=", "malformed signature header"),
    "trailing comma": (f"t={TS},v1={'a' * 64},", "malformed signature header"),
    "timestamp not digits": (f"t=12a,v1={'a' * 64}", "timestamp is not unix seconds"),
    "timestamp huge": (f"t={'9' * 40},v1={'a' * 64}", "timestamp is not unix seconds"),
    "two timestamps": (f"t={TS},t={TS},v1={'a' * 64}", "several timestamps"),
    "no timestamp": (f"v1={'a' * 64}", "no timestamp"),
    "v1 short": (f"t={TS},v1={'a' * 40}", "v1 is not a SHA-256 hex digest"),
    "v1 not hex": (f"t={TS},v1={'z' * 64}", "v1 is not a SHA-256 hex digest"),
    "unknown key": (f"t={TS},x=1,v1={'a' * 64}", "unknown field in signature header"),
    "blank around": (f"t={TS}, v1={'a' * 64}", "unknown field in signature header"),
    "semicolons": (f"t={TS};v1={'a' * 64}", "timestamp is not unix seconds"),
}


@pytest.mark.parametrize(("header", "reason"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_header_is_refused_with_its_reason(header, reason):
    assert _reason(header) == reason


def test_the_merchant_reads_the_header_in_any_case():
    merchant = Stripe((SECRET,))
    request = WebhookRequest.of(BODY, [("stripe-signature", sign_stripe(BODY, SECRET, TS))], now=TS)
    merchant.verify(request)
    assert isinstance(merchant.parse(request), OrderPaid)


def test_the_merchant_is_off_without_a_secret():
    assert Stripe.from_settings(Settings()) is None
    on = Stripe.from_settings(Settings(stripe_webhook_secrets=(SECRET, ROLLED)))
    assert on is not None and on.secrets == (SECRET, ROLLED) and on.tolerance == 300


# --- sales --------------------------------------------------------------------------------


def _parse(kind: str, obj: dict, **kwargs):
    return parse_stripe_event(stripe_body(event(kind, obj, **kwargs)))


def test_a_paid_session_is_a_sale_naming_its_session_and_payment():
    paid = parse_stripe_event(BODY)
    assert isinstance(paid, OrderPaid)
    assert paid.order_id == f"stripe-{SESSION_ID}"
    assert paid.product_ids == ()
    assert paid.lookup_ref == SESSION_ID
    assert paid.payment_ref == "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    assert paid.merchant == "stripe" and paid.source == "checkout"
    assert paid.event_id == "evt_1PaidSale000000000000"
    assert paid.occurred_at == "2024-04-12T10:18:49Z" and CREATED == 1_712_917_129
    assert (paid.buyer.name, paid.buyer.email) == ("Ada Lovelace", "ada@example.com")


def test_the_sale_travels_through_the_contract_unchanged():
    paid = parse_stripe_event(BODY)
    assert decode(encode(paid)) == paid


@pytest.mark.parametrize(
    ("locale", "language"),
    [("fr", "fr"), ("pt-BR", "pt"), ("es-419", "es"), ("auto", ""), (None, ""), ("ja", "")],
)
def test_the_checkout_s_locale_is_the_order_s_language(locale, language):
    paid = _parse("checkout.session.completed", session(locale=locale))
    assert isinstance(paid, OrderPaid) and paid.language == language
    assert decode(encode(paid)).language == language


def test_a_session_that_needed_no_payment_is_a_sale_without_a_payment():
    paid = _parse(
        "checkout.session.completed",
        session(payment_status="no_payment_required", payment_intent=None),
    )
    assert isinstance(paid, OrderPaid) and paid.payment_ref == ""


def test_a_delayed_payment_that_succeeded_is_a_sale():
    paid = _parse("checkout.session.async_payment_succeeded", session())
    assert isinstance(paid, OrderPaid) and paid.order_id == f"stripe-{SESSION_ID}"


def test_a_payment_link_sale_says_so():
    paid = _parse(
        "checkout.session.completed", session(payment_link="plink_1MoC3ULkdIwHu7ixZjtGpVl2")
    )
    assert isinstance(paid, OrderPaid) and paid.source == "payment_link"


def test_an_expanded_payment_intent_gives_its_id():
    paid = _parse(
        "checkout.session.completed",
        session(payment_intent={"id": "pi_expanded", "object": "payment_intent"}),
    )
    assert isinstance(paid, OrderPaid) and paid.payment_ref == "pi_expanded"


def test_a_nameless_buyer_is_named_by_the_email():
    paid = _parse("checkout.session.completed", session(name=None))
    assert isinstance(paid, OrderPaid) and paid.buyer.name == "ada@example.com"


def test_customer_email_stands_in_for_missing_details():
    obj = session(email=None, name=None)
    obj["customer_email"] = "grace@example.com"
    paid = _parse("checkout.session.completed", obj)
    assert isinstance(paid, OrderPaid) and paid.buyer.email == "grace@example.com"


IGNORED = {
    "unpaid (SEPA, ACH)": (
        "checkout.session.completed",
        session(payment_status="unpaid"),
        "waiting",
    ),
    "async failed": (
        "checkout.session.async_payment_failed",
        session(payment_status="unpaid"),
        "failed",
    ),
    "setup mode": (
        "checkout.session.completed",
        session(mode="setup", payment_status="no_payment_required"),
        "setup",
    ),
    "expired": ("checkout.session.expired", session(payment_status="unpaid"), ""),
    "payment intent": ("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}, ""),
    "partial refund": ("charge.refunded", charge(amount_refunded=500), "partial refund"),
    "refund without payment": ("charge.refunded", charge(payment_intent=None), "no payment_intent"),
    "dispute lost": ("charge.dispute.closed", dispute(status="lost"), "stays revoked"),
    "inquiry closed": ("charge.dispute.closed", dispute(status="warning_closed"), "stays revoked"),
}


@pytest.mark.parametrize(("kind", "obj", "note"), IGNORED.values(), ids=IGNORED.keys())
def test_what_asks_nothing_of_us_is_ignored_with_a_note(kind, obj, note):
    ignored = _parse(kind, obj, event_id="evt_ignored")
    assert isinstance(ignored, Ignored)
    assert (ignored.event_type, ignored.event_id) == (kind, "evt_ignored")
    assert note in ignored.note


# --- refunds and disputes -----------------------------------------------------------------


def test_a_full_refund_revokes_the_payment():
    revoked = _parse("charge.refunded", charge(), event_id="evt_refund")
    assert revoked == PaymentRevoked(
        merchant="stripe",
        payment_ref="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        event_id="evt_refund",
        occurred_at="2024-04-12T10:18:49Z",
        reason="refund",
    )


def test_a_dispute_revokes_the_payment_as_a_chargeback():
    revoked = _parse("charge.dispute.created", dispute())
    assert isinstance(revoked, PaymentRevoked) and revoked.reason == "chargeback"


def test_a_won_dispute_restores_the_payment():
    restored = _parse("charge.dispute.closed", dispute(status="won"), event_id="evt_won")
    assert isinstance(restored, PaymentRestored)
    assert (restored.payment_ref, restored.reason, restored.event_id) == (
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "dispute_won",
        "evt_won",
    )


# --- signed but unreadable ------------------------------------------------------------------


def _raw(payload) -> bytes:
    return json.dumps(payload).encode()


def _without(path: str) -> dict:
    copy = json.loads(BODY)
    *parents, last = path.split(".")
    target = copy
    for key in parents:
        target = target[key]
    del target[last]
    return copy


UNREADABLE = {
    "not json": b"{not json",
    "not utf-8": b'{"id": "\xff"}',
    "an array": b"[]",
    "deeply nested": b"[" * 100_000,
    "no id": _raw(_without("id")),
    "no type": _raw(_without("type")),
    "no created": _raw(_without("created")),
    "created as text": _raw({**SALE, "created": "2024-04-12"}),
    "created negative": _raw({**SALE, "created": -1}),
    "no data": _raw(_without("data")),
    "no data.object": _raw(_without("data.object")),
    "no session id": _raw(_without("data.object.id")),
    "no email anywhere": stripe_body(
        event("checkout.session.completed", session(email=None, name=None))
    ),
    "two addresses": stripe_body(
        event("checkout.session.completed", session(email="a@example.com, b@evil.example"))
    ),
    "display name as email": stripe_body(
        event("checkout.session.completed", session(email="Eve <eve@example.com>"))
    ),
    "amount as text": stripe_body(event("charge.refunded", {**charge(), "amount": "2900"})),
}


@pytest.mark.parametrize("body", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_signed_but_unreadable_is_an_event_error(body):
    with pytest.raises(EventError):
        parse_stripe_event(body)


ILL_NAMED = {
    "a path": "cs_test/../../etc/passwd",
    "dot dot": "..",
    "a blank inside": "cs test",
    "too long": "cs_" + "a" * 130,
}


@pytest.mark.parametrize("session_id", ILL_NAMED.values(), ids=ILL_NAMED.keys())
def test_a_session_id_that_cannot_name_an_order_is_an_event_error(session_id):
    with pytest.raises(EventError, match=r"order_id|lookup_ref"):
        _parse("checkout.session.completed", session(session_id))


@pytest.mark.parametrize("payment", ["pi_1/../../orders/x", "pi 1", "..", "pi_" + "9" * 130])
def test_a_payment_that_cannot_name_an_index_is_an_event_error(payment):
    with pytest.raises(EventError, match="payment_ref"):
        _parse("charge.refunded", charge(payment_intent=payment))


# --- hostile buyers -----------------------------------------------------------------------

HOSTILE = {
    "crlf": ("Eve\r\nBcc: x@evil.example", "Eve Bcc: x@evil.example"),
    "nul": ("Ada\x00Lovelace", "AdaLovelace"),
    "line separator": ("Ada\u2028Lovelace", "Ada Lovelace"),
    "right-to-left override": ("Ada\u202eecalevoL", "AdaecalevoL"),
}


@pytest.mark.parametrize(("name", "clean"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_names_are_accepted_and_normalised(name, clean):
    paid = _parse("checkout.session.completed", session(name=name))
    assert isinstance(paid, OrderPaid) and paid.buyer.name == clean


def test_a_huge_name_is_accepted_and_cut():
    paid = _parse("checkout.session.completed", session(name="Ada " * 5000))
    assert isinstance(paid, OrderPaid)
    assert len(paid.buyer.name) == 200 and paid.buyer.name.endswith("…")


def test_an_international_address_is_kept_in_unicode():
    paid = _parse("checkout.session.completed", session(email="zoë@bücher.de", name="Zoë"))
    assert isinstance(paid, OrderPaid) and paid.buyer.email == "zoë@bücher.de"
