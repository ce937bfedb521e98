"""Stamp codes: the short HMAC-signed value printed in every copy, checkable without a database.

A stamp code is printed in every copy's footer. It is twelve Crockford base32
characters in three groups (easy to read aloud and to type: no I, L, O or U;
case and dashes ignored): seven name the order (a keyed digest of its id, so
the code leaks nothing) and five authenticate them. The service checks a code
by recomputing its MAC; the order record is found through `codes/<serial>`.

The MAC key is derived from STAMP_SECRET for this purpose only (common/keys.py).
"""

from __future__ import annotations

import hashlib
import hmac

from common.codes._keys import derive_key

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_SERIAL_CHARS = 7
_MAC_CHARS = 5
# How many serials an order may try before all are taken (the worker's _claim_code):
# attempt 0 almost always; a 35-bit collision moves an order to the next.
SERIAL_ATTEMPTS = 12


class InvalidCode(ValueError):
    """The text is not an authentic stamp code."""


class ForgedCode(InvalidCode):
    """The text has a stamp code's shape, but its MAC is not this shop's: forged or altered."""


def _b32(data: bytes, chars: int) -> str:
    number = int.from_bytes(data, "big")
    bits = len(data) * 8
    number >>= bits - chars * 5
    return "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(chars)))


def _mac(secret: str, serial: str) -> str:
    digest = hmac.new(derive_key(secret, "stamp-code"), serial.encode(), hashlib.sha256).digest()
    return _b32(digest[:4], _MAC_CHARS)


def serial_for(secret: str, order_id: str, attempt: int = 0) -> str:
    """The order's serial; `attempt` > 0 picks another when the first is taken (35 bits collide)."""
    label = order_id if attempt == 0 else f"{order_id}#{attempt}"
    digest = hmac.new(derive_key(secret, "stamp-serial"), label.encode(), hashlib.sha256)
    return _b32(digest.digest()[:5], _SERIAL_CHARS)


def code_for_serial(secret: str, serial: str) -> str:
    """The printed code of a serial: XXXX-XXXX-XXXX."""
    raw = serial + _mac(secret, serial)
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def make_code(secret: str, order_id: str, attempt: int = 0) -> str:
    """The stamp code for an order: XXXX-XXXX-XXXX."""
    return code_for_serial(secret, serial_for(secret, order_id, attempt))


def normalise_code(text: str) -> str:
    """Upper-case, drop separators and map look-alike letters; raise InvalidCode if not 12 chars."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_.")
    if len(cleaned) != _SERIAL_CHARS + _MAC_CHARS or any(ch not in _DECODE for ch in cleaned):
        raise InvalidCode("a stamp code has twelve letters and digits, like 7K3M-Q9TX-2B4F")
    return "".join(_ALPHABET[_DECODE[ch]] for ch in cleaned)


def check_code(secret: str, text: str) -> str:
    """Return the serial of an authentic code, or raise InvalidCode."""
    code = normalise_code(text)
    serial, mac = code[:_SERIAL_CHARS], code[_SERIAL_CHARS:]
    if not hmac.compare_digest(_mac(secret, serial), mac):
        raise ForgedCode("this code was not issued by this shop")
    return serial


def issued_for(secret: str, text: str, order_id: str) -> bool:
    """Could this code have been issued for this order id (one of its SERIAL_ATTEMPTS serials)?

    The serial is a keyed digest of the order id, so a copy whose order id was
    rewritten keeps a code that belongs to another order: this says so without
    a database. Only the code index (`codes/<serial>`) says which attempt an
    order got, so a code may pass here for an order that holds another serial.
    """
    try:
        serial = check_code(secret, text)
    except InvalidCode:
        return False
    return any(
        hmac.compare_digest(serial_for(secret, order_id, attempt), serial)
        for attempt in range(SERIAL_ATTEMPTS)
    )
