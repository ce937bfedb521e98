"""IAP's public keys: the JWK set at IAP_CERTS_URL, fetched and cached within bounds.

IAP signs its assertions with ES256 and publishes the keys in two formats,
https://www.gstatic.com/iap/verify/public_key and .../public_key-jwk
("Securing your app with signed headers",
https://cloud.google.com/iap/docs/signed-headers-howto). We read the JWK set
and hand google-auth each key as a PEM, keyed by `kid`.

Bounds, because a stranger picks the `kid` of the token we are sent: the set
is cached for an hour; an unknown kid refetches it at most once a minute (IAP
rotates keys, and a new one must be found before the hour is up); the body is
read up to 64 KiB and at most 32 keys are kept.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

IAP_ISSUER = "https://cloud.google.com/iap"
MAX_BODY = 64 * 1024
MAX_KEYS = 32
FRESH_SECONDS = 3600.0
REFETCH_SECONDS = 60.0
TIMEOUT = 5.0

Fetch = Callable[[str], bytes]


class KeysUnavailable(Exception):
    """IAP's key set could not be read (and none is cached)."""


def fetch_bounded(url: str) -> bytes:
    """The body at url, refused past MAX_BODY bytes."""
    try:
        with requests.get(url, timeout=TIMEOUT, stream=True) as answer:
            answer.raise_for_status()
            body = answer.raw.read(MAX_BODY + 1, decode_content=True)
    except requests.RequestException as exc:
        raise KeysUnavailable(f"IAP's keys at {url} could not be read ({exc})") from None
    if len(body) > MAX_BODY:
        raise KeysUnavailable(f"IAP's key set at {url} is over {MAX_BODY} bytes")
    return body


class KeySet:
    """The PEM of each IAP key by kid, from a JWK set fetched when stale or missing a kid."""

    def __init__(
        self, url: str, fetch: Fetch = fetch_bounded, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}
        self._fetched_at = float("-inf")

    def pem(self, kid: str) -> str | None:
        """The key named kid, or None when IAP publishes no such key."""
        with self._lock:
            age = self._clock() - self._fetched_at
            if age > FRESH_SECONDS or (kid not in self._keys and age > REFETCH_SECONDS):
                self._refresh()
            return self._keys.get(kid)

    def _refresh(self) -> None:
        try:
            keys = parse_jwks(self._fetch(self.url))
        except KeysUnavailable:
            if not self._keys:
                raise
            return  # keep the last good set; IAP's keys outlive a short outage
        self._keys, self._fetched_at = keys, self._clock()


def parse_jwks(body: bytes) -> dict[str, str]:
    """The EC P-256 keys of a JWK set, as PEM by kid; others are left out."""
    try:
        document = json.loads(body)
    except ValueError:
        raise KeysUnavailable("IAP's key set is not JSON") from None
    listed = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise KeysUnavailable("IAP's key set has no keys")
    keys: dict[str, str] = {}
    for jwk in listed[:MAX_KEYS]:
        pem = _ec_pem(jwk)
        if pem is not None:
            keys[jwk["kid"]] = pem
    return keys


def _ec_pem(jwk: Any) -> str | None:
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        return None
    if not isinstance(jwk.get("kid"), str):
        return None
    try:
        x, y = (int.from_bytes(_b64(jwk[c]), "big") for c in ("x", "y"))
        key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, TypeError, ValueError):
        return None
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
