"""A local stand-in for the SendGrid v3 API: POST /v3/mail/send.

It checks what SendGrid would refuse (no Bearer key, missing from, to,
subject or content, content not starting with text/plain) and answers 400
with SendGrid's error shape; otherwise 202 with an X-Message-Id, and keeps the
accepted mail bodies in `mails`. Scripted replies (429, 5xx) come first.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.support.http_standin import HttpStandIn, Recorded, Reply


class SendGridStandIn(HttpStandIn):
    def __init__(self, api_key: str = "SG.test-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.mails: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def respond(self, request: Recorded) -> Reply:
        if request.method != "POST" or request.path != "/v3/mail/send":
            return _error(404, f"no route {request.method} {request.path}")
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "The provided authorization grant is invalid, expired, or revoked")
        try:
            mail = request.json()
        except ValueError:
            return _error(400, "Bad Request")
        problem = _problem(mail)
        if problem:
            return _error(400, problem)
        self.mails.append(mail)
        return Reply(202, headers={"X-Message-Id": f"standin-{next(self._ids)}"})


def _problem(mail: Any) -> str | None:
    """What SendGrid would reject in this body, loosely; None when it looks sendable."""
    if not isinstance(mail, dict):
        return "The request body must be a JSON object"
    if not (mail.get("from") or {}).get("email"):
        return "The from object must be provided for every email send."
    personalizations = mail.get("personalizations") or []
    if not personalizations or not all(p.get("to") for p in personalizations):
        return "The to array is required for all personalization objects"
    if not mail.get("subject"):
        return "The subject is required."
    content = mail.get("content") or []
    if not content or any(not c.get("value") for c in content):
        return "The content value must be a string at least one character in length."
    if content[0].get("type") != "text/plain":
        return "If present, text/plain content must be first."
    return None


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"errors": [{"message": message, "field": None, "help": None}]})
