"""The gate every dashboard request passes: who is asking, or a refusal in words.

- `IapGate` (DASHBOARD_AUTH=iap): the request must carry IAP's signed
  assertion in `X-Goog-IAP-JWT-Assertion`, checked as Google's "Securing your
  app with signed headers" says (https://cloud.google.com/iap/docs/signed-headers-howto):
  header `alg` ES256 and a `kid` of IAP's key set, the signature, `exp` and
  `iat`, `aud` equal to IAP_AUDIENCE and `iss` https://cloud.google.com/iap.
  The unsigned `X-Goog-Authenticated-User-*` headers and `Authorization` are
  never read: behind IAP they prove nothing (IAP strips client-sent x-goog-*
  headers, but a request that reaches the service some other way keeps them).
  Anything else is 401; an email outside DASHBOARD_MEMBERS (when set) is 403.
- `LocalGate` (DASHBOARD_AUTH=local, the embedded stack): only loopback peers,
  as the author on their own laptop; the actor is "author", as the console's
  `--by` default.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from typing import Protocol

from google.auth import exceptions as google_exceptions
from google.auth import jwt
from werkzeug.datastructures import Headers

from common.settings import Settings
from dashboard.auth._keys import IAP_ISSUER, KeySet

ASSERTION = "X-Goog-IAP-JWT-Assertion"
LOCAL_ACTOR = "author"
CLOCK_SKEW = 30  # seconds either way between IAP's clock and ours
MAX_TOKEN = 8 * 1024  # IAP's assertions are about 1 KiB


class Denied(Exception):
    """The request may not pass: status 401 (who are you?) or 403 (not you)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Gate(Protocol):
    def actor(self, headers: Headers, peer: str) -> str:
        """Who sent the request (an email, or "author" locally); Denied if nobody we let in."""
        ...


class LocalGate:
    def actor(self, headers: Headers, peer: str) -> str:
        if not is_loopback(peer):
            raise Denied(403, "DASHBOARD_AUTH=local answers this machine only")
        return LOCAL_ACTOR


class IapGate:
    def __init__(self, keys: KeySet, audience: str, members: Collection[str] = ()) -> None:
        self.keys = keys
        self.audience = audience
        self.members = frozenset(m.strip().lower() for m in members)

    def actor(self, headers: Headers, peer: str) -> str:
        token = headers.get(ASSERTION, "").strip()
        if not token:
            raise Denied(401, f"sign in through Identity-Aware Proxy (no {ASSERTION} header)")
        email = self._email(token)
        if self.members and email.lower() not in self.members:
            raise Denied(403, f"{email} is not one of DASHBOARD_MEMBERS")
        return email

    def _email(self, token: str) -> str:
        invalid = Denied(401, f"the {ASSERTION} header is not a valid IAP assertion")
        if len(token) > MAX_TOKEN:
            raise invalid
        try:
            header = jwt.decode_header(token)
        except (ValueError, TypeError):
            raise invalid from None
        kid = header.get("kid") if isinstance(header, dict) else None
        if header.get("alg") != "ES256" or not isinstance(kid, str):
            raise invalid  # IAP signs with ES256 only: no "none", no HS256, no RS256
        pem = self.keys.pem(kid)
        if pem is None:
            raise invalid
        try:
            claims = jwt.decode(
                token, certs={kid: pem}, audience=self.audience, clock_skew_in_seconds=CLOCK_SKEW
            )
        except (ValueError, TypeError, google_exceptions.GoogleAuthError):
            raise invalid from None
        email = claims.get("email")
        if claims.get("iss") != IAP_ISSUER or not isinstance(email, str) or not email.strip():
            raise invalid
        return email.strip()


def is_loopback(peer: str) -> bool:
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def build_gate(settings: Settings) -> Gate:
    if settings.dashboard_auth == "local":
        return LocalGate()
    keys = KeySet(settings.iap_certs_url)
    return IapGate(keys, settings.iap_audience, settings.dashboard_members)


def refuse_public_binds(settings: Settings, addresses: list[object]) -> None:
    """DASHBOARD_AUTH=local asks nobody who they are: refuse to listen beyond loopback.

    gunicorn calls this before it binds (gunicorn.conf.py, on_starting); its
    addresses are (host, port) pairs, a path for a unix socket (local by
    nature) or a file descriptor (unknown, so refused). RuntimeError is what
    gunicorn prints as one line before it exits 1.
    """
    if settings.dashboard_auth != "local":
        return
    for address in addresses:
        if isinstance(address, str):
            continue
        host = address[0] if isinstance(address, tuple) else ""
        if host == "localhost" or is_loopback(str(host)):
            continue
        shown = f"{host or '*'}:{address[1]}" if isinstance(address, tuple) else str(address)
        raise RuntimeError(
            f"DASHBOARD_AUTH=local serves 127.0.0.1 only, not {shown}: bind 127.0.0.1:PORT, "
            "or put the dashboard behind Identity-Aware Proxy with DASHBOARD_AUTH=iap"
        )
