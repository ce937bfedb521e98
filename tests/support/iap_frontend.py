"""A stand-in for Identity-Aware Proxy on Cloud Run: signs who signed in, serves its keys.

IAP sits in front of the dashboard's Cloud Run service (iap_enabled, no load
balancer: https://cloud.google.com/run/docs/securing/identity-aware-proxy-cloud-run).
For each request it lets through it adds a JWT in `X-Goog-IAP-JWT-Assertion`
signed with ES256, whose public keys Google publishes as a JWK set at
https://www.gstatic.com/iap/verify/public_key-jwk, with the claims "Securing
your app with signed headers" lists (https://cloud.google.com/iap/docs/signed-headers-howto):
`aud` (for Cloud Run /projects/NUMBER/locations/REGION/services/NAME:
zenn.dev/msd05keisuke/articles/4a0212035d284d), `iss`
https://cloud.google.com/iap, `email`, `sub`, `exp` and `iat` (10 minutes
apart, as IAP's are), `hd` for a Workspace user. IAP strips client-sent
`x-goog-*` headers (same page), and also sends the unsigned
`X-Goog-Authenticated-User-Email` and `-Id` (`accounts.google.com:` prefixed).

This stand-in is such a front end on a loopback port: `IapIssuer` holds a test
ES256 key (`mint` signs, `jwks` publishes), `IapFrontEnd` serves the JWK set
at JWKS_PATH and proxies everything else to the app as `signed_in` with the
assertion, after stripping every client-sent X-Goog-* header. Where IAP
would send a browser to Google's sign-in page (no one signed in) it answers
401, and 403 for an account without roles/iap.httpsResourceAccessor
(`accessors`), as IAP's own "You don't have access" page does.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from google.auth import crypt, jwt

from tests.support.cloud_run_frontend import NOT_FORWARDED
from tests.support.http_standin import HttpStandIn, Recorded, Reply

IAP_ISSUER = "https://cloud.google.com/iap"
AUDIENCE = "/projects/123456789012/locations/europe-west1/services/exlibris-dashboard"
AUTHOR = "author@example.com"
LIFETIME = 600
JWKS_PATH = "/iap/verify/public_key-jwk"
ASSERTION = "x-goog-iap-jwt-assertion"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _number(value: int) -> str:
    return _b64(value.to_bytes(32, "big"))


@dataclass
class IapIssuer:
    """Mints IAP-shaped assertions with a throw-away ES256 key; `jwks` is what IAP publishes."""

    kid: str = "iap-test-key-1"
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def claims(self, audience: str, email: str, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": audience,
            "email": email,
            "exp": now + LIFETIME,
            "iat": now,
            "iss": IAP_ISSUER,
            "sub": "accounts.google.com:113774264463038321964",
            "hd": email.rsplit("@", 1)[-1],
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, audience: str = AUDIENCE, email: str = AUTHOR, **changes: Any) -> str:
        """An assertion for email; a change of None drops that claim."""
        signer = crypt.ES256Signer(self.key, key_id=self.kid)
        return jwt.encode(signer, self.claims(audience, email, **changes)).decode()

    def jwks(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "alg": "ES256",
                    "crv": "P-256",
                    "kid": self.kid,
                    "kty": "EC",
                    "use": "sig",
                    "x": _number(numbers.x),
                    "y": _number(numbers.y),
                }
            ]
        }


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    """A token with this header and no valid signature of ours: `alg: none` and the like."""
    parts = (json.dumps(header).encode(), json.dumps(claims).encode())
    return ".".join(_b64(p) for p in parts) + "."


class IapFrontEnd(HttpStandIn):
    """IAP before the app at `upstream`: serves the keys, signs `signed_in`, strips X-Goog-*."""

    def __init__(
        self,
        upstream: str,
        issuer: IapIssuer,
        *,
        audience: str = AUDIENCE,
        signed_in: str | None = AUTHOR,
        accessors: frozenset[str] = frozenset({AUTHOR}),
    ) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self.issuer = issuer
        self.audience = audience
        self.signed_in = signed_in
        self.accessors = accessors
        self.forwarded: list[dict[str, str]] = []
        self._session = requests.Session()

    @property
    def jwks_url(self) -> str:
        return self.url + JWKS_PATH

    def respond(self, request: Recorded) -> Reply:
        if request.path == JWKS_PATH:
            return Reply(200, self.issuer.jwks(), {"Cache-Control": "public, max-age=3600"})
        if self.signed_in is None:
            return Reply(401, "<html><body>Sign in with Google to continue.</body></html>")
        if self.signed_in not in self.accessors:
            return Reply(403, "<html><body>You don't have access.</body></html>")
        headers = {
            k: v
            for k, v in request.headers.items()
            if k not in NOT_FORWARDED and not k.startswith("x-goog-")
        }
        headers[ASSERTION] = self.issuer.mint(self.audience, self.signed_in)
        headers["x-goog-authenticated-user-email"] = f"accounts.google.com:{self.signed_in}"
        headers["x-goog-authenticated-user-id"] = "accounts.google.com:113774264463038321964"
        self.forwarded.append(headers)
        query = urlencode([(k, v) for k, values in request.query.items() for v in values])
        answer = self._session.request(
            request.method,
            self.upstream + request.path + (f"?{query}" if query else ""),
            headers=headers,
            data=request.body,
            allow_redirects=False,
            timeout=60,
        )
        relay = {k: v for k, v in answer.headers.items() if k.lower() not in NOT_FORWARDED}
        relay.pop("Content-Encoding", None)  # requests decoded the body
        return Reply(answer.status_code, answer.content, relay)
