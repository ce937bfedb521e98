"""Download URLs of the embedded stores: an HMAC stands in for a V4 signature.

The folder and the in-memory adapter sign the same way, so the service's
/_local route (service/local_files.py) checks and serves either: the HMAC
covers bucket, name, expiry and the download's filename, as a V4 URL covers
the object and its `response-content-disposition`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

LOCAL_URL_PREFIX = "/_local"


class HmacUrls:
    def __init__(self, public_url: str, key: bytes) -> None:
        self.public_url = public_url.rstrip("/")
        self._key = key

    def sign(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        """A URL of the /_local route that downloads the object for ttl seconds."""
        expires = int(time.time()) + ttl
        query = {"expires": str(expires), "filename": filename}
        query["signature"] = self._mac(bucket, name, query["expires"], filename)
        return (
            f"{self.public_url}{LOCAL_URL_PREFIX}/{quote(bucket)}/{quote(name)}?{urlencode(query)}"
        )

    def check(self, bucket: str, name: str, expires: str, filename: str, sig: str) -> bool:
        """True when a /_local URL was signed with this key and has not expired."""
        expected = self._mac(bucket, name, expires, filename)
        if not hmac.compare_digest(expected.encode(), sig.encode("utf-8", "replace")):
            return False
        return expires.isascii() and expires.isdigit() and int(expires) >= time.time()

    def _mac(self, bucket: str, name: str, expires: str, filename: str) -> str:
        # "replace": a lone surrogate in a query value must not check out, nor raise.
        payload = "\n".join((bucket, name, expires, filename)).encode("utf-8", "replace")
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()
