"""Buyer data and ids as they may travel: normalised once, where a message is made.

Buyers type their own names, and Paddle signs whatever they typed, so a
genuine webhook can carry CR/LF (a header injection in the mail), NUL (a 500
in every download), U+2028 or NEL (a broken To header), a right-to-left
override (a forged-looking stamp) or ten thousand characters. The message
contract (common/contract.py) runs every name, address and id through these
functions, so the mail adapters, the footer and the download filename all
receive text that is already safe, and no adapter cleans on its own.

Names: NFC; control, format, surrogate and line/paragraph-separator
characters removed (line breaks become spaces), except ZWJ and ZWNJ, which
Persian, Indic scripts and emoji sequences need; blanks collapsed; at most
NAME_MAX characters, the last one an ellipsis when cut. Addresses: parsed by
email-validator (exactly one address, no display name, internationalised
domains as Unicode, so one buyer has one spelling). Ids: printable text of
bounded length, or refused.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

NAME_MAX = 200  # the footer draws 100 in full; the marks keep the rest
NOTE_MAX = 1000  # a gift's note from the author: a paragraph for a reviewer, not a letter
ID_MAX = 200
_JOINERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters that separate words become blanks


class BuyerDataError(ValueError):
    """The value cannot be made safe to travel; the message says which and why."""


def clean_text(value: object, *, limit: int = NAME_MAX) -> str:
    """NFC text without control/format/separator characters, blanks collapsed, capped."""
    if not isinstance(value, str):
        raise BuyerDataError("expected text")
    kept = []
    for ch in unicodedata.normalize("NFC", value.replace("\r\n", "\n")):
        category = unicodedata.category(ch)
        if ch in _JOINERS or category not in _DROPPED:
            kept.append(ch)
        elif category in _BREAKS and ch.isspace():
            kept.append(" ")
    text = " ".join("".join(kept).split())
    # Removing a mark can leave a sequence that composes further (e.g. e, NUL, U+0301).
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_name(value: object) -> str:
    """A buyer's name as the footer, the mail and the filename may show it."""
    return clean_text(value, limit=NAME_MAX)


def clean_note(value: object) -> str:
    """The author's note to a gift's reader, as its mail may show it (one paragraph)."""
    return clean_text(value, limit=NOTE_MAX)


def parse_email(value: object) -> str:
    """Exactly one address, no display name; its normalised form, or BuyerDataError."""
    if not isinstance(value, str) or not value.strip():
        raise BuyerDataError("an email address is required")
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise BuyerDataError(f"not a single email address: {exc}") from None
    return str(checked.normalized)


# Send to Kindle's addresses (@free.kindle.com: delivered over Wi-Fi only); stamping/kindle.py
# cites the sources. Any other domain would turn "send to my Kindle" into "mail anyone a book".
KINDLE_DOMAINS = ("kindle.com", "free.kindle.com")


def kindle_address(value: object) -> str:
    """A Kindle's own address (@kindle.com, @free.kindle.com), normalised; else BuyerDataError."""
    if not isinstance(value, str) or not value.strip():
        raise BuyerDataError("enter your Kindle's e-mail address (it ends in @kindle.com)")
    try:
        address = parse_email(value)
    except BuyerDataError:
        raise BuyerDataError("that is not an e-mail address") from None
    if address.rpartition("@")[2].lower() not in KINDLE_DOMAINS:
        raise BuyerDataError(
            "Send to Kindle mails only to a Kindle's own address, ending in @kindle.com "
            "or @free.kindle.com (Amazon shows it under Manage Your Content and Devices)"
        )
    return address


def ascii_address(email: str) -> str:
    """The address with its domain in IDNA (xn--) form, for providers that want ASCII."""
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return email
    return str(checked.ascii_email or checked.normalized)


def clean_id(value: object, what: str) -> str:
    """An id (order, event, product, request) that can travel as a Pub/Sub attribute."""
    if not isinstance(value, str):
        raise BuyerDataError(f"{what} must be text")
    text = value.strip()
    if not text or len(text) > ID_MAX:
        raise BuyerDataError(f"{what} must be 1 to {ID_MAX} characters")
    if not text.isprintable():  # controls, separators and lone surrogates are not
        raise BuyerDataError(f"{what} holds characters that cannot travel")
    return text
