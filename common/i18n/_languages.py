"""Which of our languages a buyer reads: from the store's locale, the browser, the shop.

Stores send locales in their own spellings (Stripe Checkout's `locale` is "fr" or
"pt-BR", Shopify's `customer_locale` "de-CH", Paddle's "pt_BR"), so every tag is
reduced to its language before it is compared. A tag we have no catalog for counts
as no tag: the next source in `choose` decides.
"""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError

# Arabic proves right-to-left pages and a language with six plural forms.
LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "pt", "nl", "ar")
DEFAULT_LANGUAGE = "en"
RTL: frozenset[str] = frozenset(
    lang for lang in LANGUAGES if Locale.parse(lang).character_order == "right-to-left"
)
# A language tag is short (BCP 47 allows 35 characters with every subtag); a header past
# this is not a browser's, and parsing it is work a stranger chose for us.
_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,6}")
_HEADER_LIMIT = 512


def normalize(tag: object) -> str:
    """The language of a locale tag when we speak it ("pt-BR" -> "pt"), else ""."""
    if not isinstance(tag, str) or not _TAG.fullmatch(tag.strip()):
        return ""
    try:
        language = Locale.parse(tag.strip().replace("-", "_")).language
    except (UnknownLocaleError, ValueError):
        return ""
    return language if language in LANGUAGES else ""


def from_accept_language(header: str | None) -> str:
    """The language an Accept-Language header prefers among ours, else ""."""
    if not header or len(header) > _HEADER_LIMIT:
        return ""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = _quality(params)
        if quality > 0:  # q=0 means "not this one" (RFC 9110, section 12.4.2)
            ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        language = normalize(tag)  # "*" (any language) names none: the shop's decides
        if language:
            return language
    return ""


def _quality(params: str) -> float:
    """The q of one Accept-Language entry: 1 when absent, 0 when unreadable or out of range."""
    name, _, value = params.strip().partition("=")
    if not name:
        return 1.0
    try:
        quality = float(value) if name.strip().lower() == "q" else 0.0
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0


def choose(*, order: str = "", accept_language: str | None = None, shop: str = "") -> str:
    """The language to answer in: the order's, else the browser's, else the shop's, else en."""
    return (
        normalize(order)
        or from_accept_language(accept_language)
        or normalize(shop)
        or DEFAULT_LANGUAGE
    )


def direction(language: str) -> str:
    """The writing direction of a language, for `<html dir>`."""
    return "rtl" if language in RTL else "ltr"
