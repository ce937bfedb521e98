"""Pub/Sub push: authenticate the caller, then route the decoded message to its use case.

Pub/Sub signs each push with an OIDC token for the push service account. The
token is checked with google-auth against the expected audience (always
passed: without it the audience goes unchecked) and the expected account.
Permissions: none; Google's public certificates are fetched by google-auth.
"""

from __future__ import annotations

import time
from typing import Any

from google.auth import exceptions as google_exceptions
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

from common.contract import LinksRequested, Message, OrderPaid, OrderRevoked
from worker.bootstrap import WorkerDeps
from worker.fulfil import fulfil_order
from worker.resend import resend_links
from worker.revoke import revoke_order


class PushAuthError(Exception):
    """The push request is not from our Pub/Sub subscription."""


class CachedGet:
    """A google-auth transport that keeps GET answers for `ttl` seconds.

    verify_oauth2_token fetches Google's certificates on every call; they
    change about daily and are published before use, so one fetch an hour
    spares every push a round trip to Google.
    """

    def __init__(self, request: Any, ttl: float = 3600.0) -> None:
        self._request = request
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Any]] = {}

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        if method != "GET":
            return self._request(url, method=method, **kwargs)
        hit = self._cache.get(url)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        response = self._request(url, method=method, **kwargs)
        if response.status == 200:
            response.data  # noqa: B018 - read the body now, so the cached answer holds it
            self._cache[url] = (time.monotonic(), response)
        return response


class PushVerifier:
    def __init__(self, audience: str, service_account: str, request: Any = None) -> None:
        self.audience = audience
        self.service_account = service_account
        self._request = CachedGet(request or google_requests.Request())

    def __call__(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise PushAuthError("missing bearer token")
        try:
            claims = id_token.verify_oauth2_token(token, self._request, audience=self.audience)
        except google_exceptions.TransportError:
            raise  # Google's certificates could not be fetched: a 5xx, so Pub/Sub retries
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            # google-auth raises a bare GoogleAuthError, not a ValueError, for a wrong issuer
            raise PushAuthError(f"invalid token: {exc}") from None
        if not claims.get("email_verified"):
            raise PushAuthError("token email is not verified")
        if self.service_account and claims.get("email") != self.service_account:
            raise PushAuthError("token is not from the push service account")


def handle(message: Message, deps: WorkerDeps) -> str:
    """Run the use case for one message and return its outcome."""
    if isinstance(message, OrderPaid):
        return fulfil_order(message, deps)
    if isinstance(message, OrderRevoked):
        return revoke_order(message, deps)
    if isinstance(message, LinksRequested):
        return resend_links(message, deps)
    raise TypeError(f"no handler for {type(message).__name__}")
