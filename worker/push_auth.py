"""Pub/Sub push authentication: only an OIDC token for our audience and push account gets in.

Pub/Sub signs each push with a Google ID token for the push service account.
Two ways to check it, chosen by PUSH_AUTH:

- `verify` (PUSH_AUTH=true): the worker is reachable directly, so the app
  checks the signature with google-auth against Google's certificates, then
  the claims.
- `cloud-run`: the worker is private behind Cloud Run IAM. Cloud Run's front
  end has already checked the token (and that the account may invoke us), and
  it forwards the token with its signature replaced by the literal
  SIGNATURE_REMOVED_BY_GOOGLE (https://cloud.google.com/run/docs/troubleshooting#signature-removed).
  So the app decodes the token without the signature and enforces the claims;
  a token that still carries a real signature is verified fully.

Claims enforced in both modes: `aud` is PUSH_AUDIENCE (always passed: without
it the audience goes unchecked), `email` is PUSH_SERVICE_ACCOUNT (any Google
account can mint a token for any audience), `email_verified`, a Google `iss`,
and a sane `iat`/`exp`. Answers: 401 for a missing, malformed, stripped (in
`verify` mode), badly signed or expired token; 403 for a genuine token from
someone else. Permissions: none; Google's public certificates are fetched by
google-auth and cached for an hour.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeGuard

from google.auth import exceptions as google_exceptions
from google.auth import jwt
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

log = logging.getLogger(__name__)

STRIPPED_SIGNATURE = "SIGNATURE_REMOVED_BY_GOOGLE"
GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
LEEWAY = 60  # seconds of clock skew between Google, Cloud Run and this instance
MAX_LIFETIME = 3600  # Google ID tokens live one hour


class PushAuthError(Exception):
    """The push request is not from our Pub/Sub subscription; `status` is 401 or 403."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.status = status


class PushAuthUnavailable(Exception):
    """Google's certificates could not be fetched: a retry may succeed (503)."""


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
    """Checks the Authorization header of a push; returns the token's claims or raises."""

    def __init__(
        self,
        audience: str,
        service_account: str,
        *,
        mode: str = "verify",
        request: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if mode not in ("verify", "cloud-run"):
            raise ValueError(f"unknown push auth mode {mode!r}")
        if not audience:
            raise ValueError("a push check needs the expected audience (PUSH_AUDIENCE)")
        if not service_account:
            raise ValueError("a push check needs the push account (PUSH_SERVICE_ACCOUNT)")
        self.audience = audience
        self.service_account = service_account
        self.mode = mode
        self._request = CachedGet(request or google_requests.Request())
        self._clock = clock

    def __call__(self, authorization: str | None) -> dict[str, Any]:
        token = _bearer(authorization)
        if token.rpartition(".")[2] == STRIPPED_SIGNATURE:
            if self.mode != "cloud-run":
                log.error(
                    "push token arrived without its signature: the worker sits behind Cloud "
                    "Run IAM, which strips it; set PUSH_AUTH=cloud-run"
                )
                raise PushAuthError("token signature was removed by the front end")
            claims = _unverified_claims(token)
        else:
            claims = self._verified_claims(token)
        self._check_claims(claims)
        return claims

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            return dict(
                id_token.verify_oauth2_token(
                    token, self._request, audience=self.audience, clock_skew_in_seconds=LEEWAY
                )
            )
        except google_exceptions.TransportError as exc:
            raise PushAuthUnavailable(f"Google's certificates are unreachable: {exc}") from None
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            # google-auth raises a bare GoogleAuthError, not a ValueError, for a wrong issuer.
            # Its messages can quote the token ("Wrong number of segments in token: b'…'"),
            # which a stranger wrote: name the kind of failure only, never the text.
            raise PushAuthError(f"invalid token: {_verdict(exc)}") from None

    def _check_claims(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        iat, exp = claims.get("iat"), claims.get("exp")
        # Whole seconds only, as Google mints them: NaN (which JSON decoders accept) fails
        # every comparison below and would pass them all, and a bool is an int to Python.
        if not _whole_seconds(iat) or not _whole_seconds(exp):
            raise PushAuthError("token has no whole-second iat or exp")
        if exp < now - LEEWAY:
            raise PushAuthError("token expired")
        if iat > now + LEEWAY or exp - iat > MAX_LIFETIME + LEEWAY or exp < iat:
            raise PushAuthError("token times are not plausible")
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise PushAuthError("token was not issued by Google")
        if claims.get("aud") != self.audience:
            raise PushAuthError("token is for another audience", 403)
        if claims.get("email_verified") is not True:
            raise PushAuthError("token email is not verified", 403)
        if claims.get("email") != self.service_account:
            raise PushAuthError("token is not from the push service account", 403)


# google-auth's verdicts that quote nothing of the token (google/auth/jwt.py); any other
# message may carry what a stranger wrote (segments, audience), so it is not repeated.
_VERDICTS = (
    "Token expired",
    "Token used too early",
    "Could not verify token signature",
    "Token has wrong audience",
    "Wrong number of segments in token",
    "Wrong issuer",
)


def _verdict(exc: Exception) -> str:
    text = str(exc)
    said = next((v for v in _VERDICTS if text.startswith(v)), None)
    return said.lower() if said else f"refused by google-auth ({type(exc).__name__})"


def _whole_seconds(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise PushAuthError("missing bearer token")
    return token.strip()


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a token whose signature Cloud Run checked and removed."""
    try:
        claims = jwt.decode(token, verify=False)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:  # the text would echo the token
        raise PushAuthError(f"malformed token ({type(exc).__name__})") from None
    if not isinstance(claims, dict):
        raise PushAuthError("malformed token: the payload is not an object")
    return claims
