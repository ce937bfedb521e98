"""A forwarding HTTP proxy in front of the storage emulator: the faults of real Cloud Storage.

Requests go to `upstream` (the storage emulator) unchanged unless a scripted
reply is queued, so a test can make the next N calls answer 503 (or hang) and
watch the real client retry through to the emulator.

With `write_gap`, it also keeps Cloud Storage's write limit, which no emulator
does: "Maximum rate of writes to the same object name: one write per second"
(https://cloud.google.com/storage/quotas). An upload to an object written
less than `write_gap` seconds before answers 429 rateLimitExceeded with the
body Cloud Storage sends. That is the limit's worst case: the real service
may let a short burst through. `writes` counts the uploads that reached the
emulator, by object name.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter

import requests

from tests.support.http_standin import HttpStandIn, Recorded, Reply

_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "host", "keep-alive"}
RATE_LIMITED = {
    "error": {
        "code": 429,
        "message": "The object exceeded the rate limit for object mutation operations "
        "(create, update, and delete). Please reduce your request rate.",
        "errors": [{"reason": "rateLimitExceeded", "domain": "usageLimits"}],
    }
}


class FaultProxy(HttpStandIn):
    def __init__(self, upstream: str, write_gap: float = 0.0) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self.write_gap = write_gap
        self.throttled = 0
        self.writes: Counter[str] = Counter()
        self._written: dict[str, float] = {}
        self._writes_lock = threading.Lock()
        self._session = requests.Session()

    def respond(self, request: Recorded) -> Reply:
        upload = upload_name(request) if _is_upload(request) else None
        if upload is not None and self.write_gap:
            with self._writes_lock:
                now = time.monotonic()
                if now - self._written.get(upload, -self.write_gap) < self.write_gap:
                    self.throttled += 1
                    return Reply(429, RATE_LIMITED)
                self._written[upload] = now
        answer = self._session.request(
            request.method,
            self.upstream + request.path,
            params=request.query,
            data=request.body,
            headers={k: v for k, v in request.headers.items() if k not in _HOP_BY_HOP},
            timeout=30,
        )
        if upload is not None and answer.ok:
            with self._writes_lock:
                self.writes[upload] += 1
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers.pop("Content-Encoding", None)  # requests already decoded the body
        return Reply(answer.status_code, answer.content, headers)


def _is_upload(request: Recorded) -> bool:
    return request.method == "POST" and "/upload/" in request.path


def upload_name(request: Recorded) -> str:
    """The object an upload writes: `name` in the query (media) or the metadata part (multipart)."""
    if "name" in request.query:
        return request.query["name"][0]
    found = re.search(rb'"name":\s*"([^"]+)"', request.body)
    return found.group(1).decode() if found else ""
