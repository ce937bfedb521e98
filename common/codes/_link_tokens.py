"""Link tokens: what a durable download link carries, signed so it is checked before storage.

A token names an order, a file and an expiry, and carries a MAC keyed by a
key derived from STAMP_SECRET for this purpose only (common/keys.py). The MAC
is checked before the payload is parsed, so only our own JSON reaches the
parser.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from common.codes._keys import derive_key

# Unpadded base64url, as make_token writes it; padding ("=") or any other character would
# give one link several spellings, all of which the decoder accepts.
_CANONICAL = re.compile(r"[A-Za-z0-9_-]+")


class InvalidToken(ValueError):
    """The link token was not minted by us or was altered."""


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
    if not _CANONICAL.fullmatch(body) or not _CANONICAL.fullmatch(sig):
        raise InvalidToken("malformed link")  # one spelling per link: no padding, no stray text
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
