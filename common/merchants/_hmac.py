"""HMAC-SHA256 webhook signatures: the digest, the check over several secrets, timestamped headers.

Paddle Billing, Stripe, Lemon Squeezy, Shopify and WooCommerce sign the raw body
(Paddle and Stripe with a unix timestamp before it) with HMAC-SHA256 under the
webhook's secret. While a secret is rotated we may hold two, and Paddle and
Stripe may send one signature per live secret, so the check computes the digest
under every secret and compares it with every signature sent, each in constant
time (hmac.compare_digest, as stripe-python's verify_header), and all of them,
whichever matched. A secret os.environ could not decode keeps its original bytes
(surrogateescape) instead of failing the request with a UnicodeEncodeError.
Paddle's `ts=…;h1=…` and Stripe's `t=…,v1=…` are one header format read strictly
(TimestampedHeader), and their timestamp must lie within ±tolerance seconds of
now (check_window: Svix's two-sided window), so a captured request cannot be
replayed later. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from common.merchants._events import SignatureError

SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")  # shorter (truncated, SHA-1) never matches
SHA256_BASE64 = re.compile(r"[A-Za-z0-9+/]{43}=")  # 32 bytes: 43 characters and one '='
_TS = re.compile(r"[0-9]{1,12}")  # a bound keeps int() cheap and far from its digit limit


def hmac_sha256(secret: str, message: bytes) -> bytes:
    """The HMAC-SHA256 of `message` under `secret`, as the storefronts sign."""
    return hmac.new(secret.encode("utf-8", "surrogateescape"), message, hashlib.sha256).digest()


def check_signatures(given: Sequence[bytes], secrets: Sequence[str], message: bytes) -> None:
    """Raise SignatureError unless one of `given` is the HMAC of `message` under a secret."""
    if not secrets:
        raise SignatureError("no webhook secret configured")
    expected = [hmac_sha256(secret, message) for secret in secrets]
    if not any([hmac.compare_digest(e, g) for e in expected for g in given]):  # every pair
        raise SignatureError("no matching signature")


def check_window(ts: str, *, now: float, tolerance: int) -> None:
    """Raise SignatureError unless the unix time `ts` is within ±tolerance seconds of now."""
    age = now - int(ts)
    if age > tolerance:
        raise SignatureError("timestamp outside tolerance: too old")
    if age < -tolerance:
        raise SignatureError("timestamp outside tolerance: too new")


@dataclass(frozen=True)
class TimestampedHeader:
    """A signature header of one timestamp and one or more hex signatures, `key=value` parts."""

    name: str  # Paddle-Signature
    separator: str  # ";"
    timestamp: str  # "ts"
    signature: str  # "h1"
    other_schemes: re.Pattern[str] | None = None  # keys passed over (Stripe's v0); None: none
    blank_is_malformed: bool = False  # `key=` is malformed, rather than a bad value

    def parse(self, header: str | None) -> tuple[str, list[bytes]]:
        """The timestamp and the signatures; anything else is a SignatureError with its reason."""
        if not header:
            raise SignatureError(f"missing {self.name} header")
        timestamps: list[str] = []
        signatures: list[bytes] = []
        for part in header.split(self.separator):
            key, sep, value = part.partition("=")
            if not sep or (self.blank_is_malformed and not value):
                raise SignatureError("malformed signature header")
            if key == self.timestamp:
                if not _TS.fullmatch(value):
                    raise SignatureError("timestamp is not unix seconds")
                timestamps.append(value)
            elif key == self.signature:
                if not SHA256_HEX.fullmatch(value):
                    raise SignatureError(f"{key} is not a SHA-256 hex digest")
                signatures.append(bytes.fromhex(value))
            elif self.other_schemes is None or not self.other_schemes.fullmatch(key):
                raise SignatureError("unknown field in signature header")
        if len(timestamps) != 1:
            raise SignatureError("no timestamp" if not timestamps else "several timestamps")
        if not signatures:
            raise SignatureError(f"no {self.signature} signature")
        return timestamps[0], signatures
