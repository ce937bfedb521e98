"""CSRF tokens: every form of the dashboard carries one, and a POST without a good one
changes nothing (403).

A token is `<issued unix time>.<HMAC>` over the actor and that time, keyed by
a key derived from STAMP_SECRET (which every instance of the dashboard holds,
so any instance accepts another's forms, and no cookie is needed). Another
site can make the author's browser post to the dashboard, but it cannot read
a page of it (same-origin policy, `frame-ancestors 'none'`), so it has no
token; one that leaked is bound to its actor and dies after 12 hours.
"""

from __future__ import annotations

import hashlib
import hmac

FIELD = "csrf"
LIFETIME = 12 * 3600
_LABEL = b"exlibris dashboard csrf v1"


class CsrfError(Exception):
    """The form's token is missing, forged, another actor's or too old."""


def csrf_key(stamp_secret: str) -> bytes:
    """A key of its own, so a token can never be mistaken for anything STAMP_SECRET signs."""
    return hmac.new(stamp_secret.encode(), _LABEL, hashlib.sha256).digest()


def make_token(key: bytes, actor: str, now: float) -> str:
    issued = str(int(now))
    return f"{issued}.{_mac(key, actor, issued)}"


def check_token(key: bytes, actor: str, token: str, now: float) -> None:
    """Return when the token is this actor's and fresh; CsrfError otherwise."""
    issued, _, mac = token.partition(".")
    if not issued.isdigit() or len(issued) > 12:
        raise CsrfError("the form carries no valid token: reload the page and try again")
    if not hmac.compare_digest(mac, _mac(key, actor, issued)):
        raise CsrfError("the form's token is not this dashboard's: reload the page")
    if not 0 <= now - int(issued) <= LIFETIME:
        raise CsrfError("the form has expired: reload the page and try again")


def _mac(key: bytes, actor: str, issued: str) -> str:
    return hmac.new(key, f"{actor}\n{issued}".encode(), hashlib.sha256).hexdigest()
