"""A stand-in for Google's ID-token issuer: one throw-away RSA key, its certificates, tokens.

Google signs ID tokens (Pub/Sub push, service-to-service calls) with RS256 and
publishes the public halves as X.509 certificates keyed by `kid` at
https://www.googleapis.com/oauth2/v1/certs, the set google-auth's
`verify_oauth2_token` and `jwt.decode(certs=...)` read. Tokens minted here
carry the claims Pub/Sub's push puts in its OIDC token, with its one-hour
lifetime (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions,
"JWT format": aud, azp, email, email_verified, exp, iat, iss, sub). The
audience defaults to the push endpoint's URL when a subscription names none
(PushConfig.OidcToken.audience, Pub/Sub API reference).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

GOOGLE_ISSUER = "https://accounts.google.com"
PUSH_ACCOUNT = "pubsub-push@exlibris-test.iam.gserviceaccount.com"
LIFETIME = 3600


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def self_signed_pem(key: rsa.RSAPrivateKey) -> str:
    """A certificate for key, as Google publishes its token-signing keys."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-google-certs")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class GoogleIssuer:
    """Mints Google-shaped ID tokens with a test key; `certs` is what verifiers trust."""

    kid: str = "test-key-1"
    key: rsa.RSAPrivateKey = field(default_factory=new_key)

    def __post_init__(self) -> None:
        self.certs: dict[str, str] = {self.kid: self_signed_pem(self.key)}
        self._signer = crypt.RSASigner.from_string(private_pem(self.key), key_id=self.kid)

    def mint(self, audience: str, email: str = PUSH_ACCOUNT, **changes: Any) -> str:
        """An ID token for email and audience; a change of None drops that claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": GOOGLE_ISSUER,
            "aud": audience,
            "azp": "113774264463038321964",
            "sub": "113774264463038321964",
            "email": email,
            "email_verified": True,
            "iat": now - 5,
            "exp": now - 5 + LIFETIME,
        } | changes
        payload = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(self._signer, payload).decode()


def stripped(token: str) -> str:
    """The token as Cloud Run forwards it to a private service: its signature replaced."""
    header, payload, _ = token.split(".")
    return f"{header}.{payload}.SIGNATURE_REMOVED_BY_GOOGLE"
