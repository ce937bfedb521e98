"""Signed, timed form values: `<issued unix time>.<MAC>` over a subject and that time.

A page puts one in its form; the POST brings it back, and only a page we made
could have it. The buyers' download form binds it to the link's token, the
dashboard's CSRF field to the author's identity. Each purpose has its own key
(derive_key), so one is never accepted as the other. Callers decide how old a
value may be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from common.codes._keys import derive_key


class FormValueRefused(ValueError):
    """The value is not one we made for this subject."""


class FormValueMalformed(FormValueRefused):
    """Not a value of this shape at all (none posted, or garbage)."""


def form_value(secret: str, purpose: str, subject: str, now: float) -> str:
    """The value a page made now for `subject` carries in its form."""
    issued = str(int(now))
    return f"{issued}.{_mac(secret, purpose, subject, issued)}"


def form_value_age(secret: str, purpose: str, subject: str, value: str, now: float) -> float:
    """Seconds since the value was made for `subject` (negative if it is from ahead of us).

    FormValueMalformed when it is no such value, FormValueRefused when its MAC is not ours.
    """
    issued, _, mac = value.partition(".")
    if not issued.isdigit() or len(issued) > 12:
        raise FormValueMalformed("not a signed form value")
    if not hmac.compare_digest(_mac(secret, purpose, subject, issued), mac):
        raise FormValueRefused("not signed by us for this subject")
    return now - int(issued)


def _mac(secret: str, purpose: str, subject: str, issued: str) -> str:
    key = derive_key(secret, purpose)
    digest = hmac.new(key, f"{subject}\n{issued}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
