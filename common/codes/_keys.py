"""Keys derived from STAMP_SECRET, one per purpose.

Stamp codes, link tokens and the embedded storage's URLs each get their own
key (HMAC of the secret with a purpose label), so a value minted for one
purpose is never accepted for another.
"""

from __future__ import annotations

import hashlib
import hmac


def derive_key(secret: str, purpose: str) -> bytes:
    """The key for one purpose, derived from the shop's secret."""
    return hmac.new(secret.encode(), f"exlibris/{purpose}".encode(), hashlib.sha256).digest()
