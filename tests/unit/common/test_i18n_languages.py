"""Which language a buyer gets: the store's locale, else the browser's, else the shop's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.i18n import LANGUAGES, RTL, choose, direction, from_accept_language, normalize


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("fr", "fr"),  # Stripe Checkout's locale
        ("pt-BR", "pt"),  # Stripe's and browsers' spelling
        ("pt_BR", "pt"),  # Paddle's
        ("de-CH", "de"),  # Shopify's customer_locale
        ("NL", "nl"),
        ("zh-Hant", ""),  # a language we have no catalog for
        ("auto", ""),  # Stripe's "let the browser decide"
        ("", ""),
        ("x" * 100, ""),
        ("de;DROP", ""),
        (None, ""),
        (3, ""),
    ],
)
def test_a_stores_locale_is_reduced_to_one_of_our_languages(tag: object, language: str) -> None:
    assert normalize(tag) == language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("ja,fr;q=0.5", "fr"),
        ("ja", ""),
        ("fr;q=0, nl;q=0.2", "nl"),
        ("*", ""),  # any language: SHOP_LANGUAGE then decides
        ("*, fr;q=0.5", "fr"),
        ("", ""),
        (None, ""),
        ("de," * 400, ""),  # longer than any browser's: not parsed at all
        ("\x00\xff;q=abc", ""),
        ("de;q=0.5, fr;q=0.9", "fr"),  # the highest q wins, not the first listed
        ("de;q=0.5, fr;q=0.5", "de"),  # a tie keeps the header's order
        ("it;q=1.5, es;q=nan, nl;level=1", ""),  # a q out of range, or no q at all, counts as 0
    ],
)
def test_accept_language_picks_the_best_of_ours(header: str | None, language: str) -> None:
    assert from_accept_language(header) == language


@given(st.text(max_size=600))
def test_any_header_gives_one_of_ours_or_none(header: str) -> None:
    assert from_accept_language(header) in (*LANGUAGES, "")


def test_the_order_wins_then_the_browser_then_the_shop() -> None:
    assert choose(order="fr", accept_language="de", shop="it") == "fr"
    assert choose(order="zh", accept_language="de", shop="it") == "de"
    assert choose(order="", accept_language="ja", shop="it") == "it"
    assert choose() == "en"


def test_arabic_reads_right_to_left_and_the_others_left_to_right() -> None:
    assert set(RTL) == {"ar"}
    assert [direction(lang) for lang in LANGUAGES].count("rtl") == 1
    assert direction("ar") == "rtl" and direction("de") == "ltr"
