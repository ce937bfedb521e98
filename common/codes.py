"""Stamp codes and link tokens: small HMAC-signed values, checkable without a database.

A stamp code is printed in every copy's footer. It is twelve Crockford base32
characters in three groups (easy to read aloud and to type: no I, L, O or U;
case and dashes ignored): seven name the order (a keyed digest of its id, so
the code leaks nothing) and five authenticate them. The service checks a code
by recomputing its MAC; the order record is found through `codes/<serial>`.

A link token names an order, a file and an expiry, and carries a MAC, so a
durable download link can be checked before any storage is touched.

Both use keys derived from STAMP_SECRET with a purpose label, so a value
minted for one purpose is never accepted for the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"I": 1, "L": 1, "O": 0}
_SERIAL_CHARS = 7
_MAC_CHARS = 5


class InvalidCode(ValueError):
    """The text is not an authentic stamp code."""


class InvalidToken(ValueError):
    """The link token was not minted by us or was altered."""


def derive_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"exlibris/{purpose}".encode(), hashlib.sha256).digest()


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
        raise InvalidCode("this code was not issued by this shop")
    return serial


@dataclass(frozen=True)
class LinkClaim:
    order_id: str
    file_index: int
    expires: int


def make_token(secret: str, claim: LinkClaim) -> str:
    payload = json.dumps(
        {"o": claim.order_id, "f": claim.file_index, "e": claim.expires}, separators=(",", ":")
    ).encode()
    body = base64.urlsafe_b64encode(payload).rstrip(b"=")
    sig = hmac.new(derive_key(secret, "link-token"), body, hashlib.sha256).digest()[:16]
    return f"{body.decode()}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def read_token(secret: str, token: str) -> LinkClaim:
    """Return the claim of an authentic token (expired or not), or raise InvalidToken."""
    body, _, sig = token.partition(".")
    if not body or not sig:
        raise InvalidToken("malformed link")
    expected = hmac.new(derive_key(secret, "link-token"), body.encode(), hashlib.sha256).digest()
    try:
        given = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except ValueError:
        raise InvalidToken("malformed link") from None
    # Authenticate before parsing: only our own JSON ever reaches the parser.
    if not hmac.compare_digest(expected[:16], given):
        raise InvalidToken("this link was altered or not issued by this shop")
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, RecursionError):
        raise InvalidToken("malformed link") from None
    try:
        return LinkClaim(order_id=str(data["o"]), file_index=int(data["f"]), expires=int(data["e"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        raise InvalidToken("malformed link") from None
