"""CSRF tokens: every form of the dashboard carries one, and a POST without a good one
changes nothing (403).

A token is `<issued unix time>.<HMAC>` over the actor and that time
(common/codes' signed form values, as the download page's), keyed by a key
derived from STAMP_SECRET (which every instance of the dashboard holds,
so any instance accepts another's forms, and no cookie is needed). Another
site can make the author's browser post to the dashboard, but it cannot read
a page of it (same-origin policy, `frame-ancestors 'none'`), so it has no
token; one that leaked is bound to its actor and dies after 12 hours.
"""

from __future__ import annotations

from common.codes import FormValueMalformed, FormValueRefused, form_value, form_value_age

FIELD = "csrf"
LIFETIME = 12 * 3600
_PURPOSE = "dashboard-csrf"  # its own key (derive_key): never a download form's


class CsrfError(Exception):
    """The form's token is missing, forged, another actor's or too old."""


def make_token(stamp_secret: str, actor: str, now: float) -> str:
    return form_value(stamp_secret, _PURPOSE, actor, now)


def check_token(stamp_secret: str, actor: str, token: str, now: float) -> None:
    """Return when the token is this actor's and fresh; CsrfError otherwise."""
    try:
        age = form_value_age(stamp_secret, _PURPOSE, actor, token, now)
    except FormValueMalformed:
        raise CsrfError("the form carries no valid token: reload the page and try again") from None
    except FormValueRefused:
        raise CsrfError("the form's token is not this dashboard's: reload the page") from None
    if not 0 <= age <= LIFETIME:
        raise CsrfError("the form has expired: reload the page and try again")
