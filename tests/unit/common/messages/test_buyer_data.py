"""Buyer data is normalised once, where a message is made: every adapter downstream trusts it.

Names come from correctly signed webhooks but are typed by buyers, so they
carry whatever a keyboard (or an attacker) can produce: CR/LF, NUL, line
separators, bidi overrides, 10,000 characters. Emails go through a real
validator: one address, no display name, internationalised domains kept.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.messages import (
    Buyer,
    BuyerDataError,
    ContractError,
    LinksRequested,
    OrderPaid,
    decode,
    encode,
    parse_email,
)
from common.messages._buyer_data import NAME_MAX, clean_name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Eve\r\nBcc: x@evil.example", "Eve Bcc: x@evil.example"),
        ("Ada\x00Lovelace", "AdaLovelace"),
        ("Ada\u2028Lovelace", "Ada Lovelace"),
        ("Ada\u2029Lovelace", "Ada Lovelace"),
        ("Ada\x85Lovelace", "Ada Lovelace"),
        ("Ada\tLovelace", "Ada Lovelace"),
        ("  Ada   Lovelace  ", "Ada Lovelace"),
        ("\u202eecalevoL adA", "ecalevoL adA"),  # a right-to-left override is a forgery tool
        ("\ufeffAda", "Ada"),
        ("Zoe\u0308", "Zoë"),  # NFC: one code point, as the fonts and the index expect
        ("می\u200cخواهم", "می\u200cخواهم"),  # ZWNJ: Persian needs it
        ("क्\u200dष", "क्\u200dष"),  # ZWJ: Indic conjuncts and emoji sequences need it
        ("👩\u200d💻 Ada", "👩\u200d💻 Ada"),
    ],
    ids=[
        "crlf",
        "nul",
        "line-separator",
        "paragraph-separator",
        "nel",
        "tab",
        "blanks",
        "bidi-override",
        "bom",
        "nfc",
        "zwnj",
        "zwj",
        "emoji-zwj",
    ],
)
def test_a_name_is_normalised(typed: str, kept: str) -> None:
    assert clean_name(typed) == kept
    assert Buyer(typed, "ada@example.com").name == kept


def test_a_long_name_is_capped_with_an_ellipsis() -> None:
    name = clean_name("Ada " * 2500)
    assert len(name) == NAME_MAX
    assert name.endswith("…")
    assert clean_name("María José Fernández de la Concepción García-Villanueva y Rodríguez") == (
        "María José Fernández de la Concepción García-Villanueva y Rodríguez"
    )


def test_a_hundred_character_name_is_kept_whole() -> None:
    name = "Ananthanarayanan " * 5 + "Venkataraghavan Subramaniam"
    assert len(name) <= 120
    assert clean_name(name) == name.strip()


def test_a_name_that_is_nothing_but_controls_falls_back_to_the_email() -> None:
    assert Buyer("\r\n\x00\u2028", "ada@example.com").name == "ada@example.com"


@pytest.mark.parametrize(
    "typed",
    [
        "m@example.com, x@evil.example",
        "Ada <ada@example.com>",
        "ada@example.com\r\nBcc: x@evil.example",
        "ada",
        "ada@localhost",
        "\ud800@example.com",
        "",
    ],
    ids=[
        "two-addresses",
        "display-name",
        "header-injection",
        "no-at",
        "no-dot",
        "surrogate",
        "blank",
    ],
)
def test_anything_but_one_plain_address_is_refused(typed: str) -> None:
    with pytest.raises(BuyerDataError):
        parse_email(typed)
    with pytest.raises(ContractError):
        Buyer("Ada", typed)
    with pytest.raises(ContractError):
        LinksRequested(typed, "req-1", "2025-01-01T00:00:00Z")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  ada@example.com ", "ada@example.com"),
        ("Ada@Example.COM", "Ada@example.com"),
        ("zoe@bücher.de", "zoe@bücher.de"),
        ("zoe@xn--bcher-kva.de", "zoe@bücher.de"),  # IDN: one spelling for the index
    ],
)
def test_an_address_is_normalised(typed: str, kept: str) -> None:
    assert parse_email(typed) == kept


@pytest.mark.parametrize(
    "changes",
    [
        {"order_id": "txn_\ud800"},
        {"order_id": "txn\r\n1"},
        {"order_id": ""},
        {"order_id": "x" * 500},
        {"event_id": "evt\x00"},
        {"product_ids": ("paddle:pri_\udfff",)},
        {"product_ids": ()},
        {"product_ids": ("pri_1",)},
        {"order_id": ".."},
        {"order_id": "../../etc/passwd"},
        {"order_id": "x" * 129},
        {"order_id": "ord 1"},
    ],
    ids=[
        "surrogate",
        "crlf",
        "blank",
        "huge",
        "nul",
        "surrogate-id",
        "no-ids",
        "unqualified",
        "dot-dot",
        "path",
        "129-characters",
        "blank-inside",
    ],
)
def test_ids_that_cannot_travel_are_a_contract_error(changes: dict) -> None:
    fields = {
        "order_id": "txn_1",
        "product_ids": ("paddle:pri_1",),
        "event_id": "evt_1",
        "occurred_at": "2025-01-01T00:00:00Z",
        "merchant": "paddle",
        "source": "billing",
        "customer_id": "ctm_1",
    }
    with pytest.raises(ContractError):
        OrderPaid(**{**fields, **changes})


_NASTY = st.text(
    st.characters(codec=None, exclude_categories=()),  # every code point, surrogates included
    max_size=60,
)


@given(name=_NASTY, email=_NASTY)
def test_any_buyer_either_travels_cleanly_or_is_refused(name: str, email: str) -> None:
    try:
        buyer = Buyer(name, email)
    except ContractError:
        return
    message = OrderPaid(
        "o-1", ("paddle:552312",), "e-1", "2025-01-01T00:00:00Z", "paddle", "classic", buyer
    )
    assert decode(encode(message)) == message  # normalising twice changes nothing
    for text in (buyer.name, buyer.email):
        assert text == unicodedata.normalize("NFC", text)
        assert not any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in text)
        assert len(text) <= NAME_MAX
    assert "@" in buyer.email and "," not in buyer.email and "<" not in buyer.email
