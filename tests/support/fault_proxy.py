"""A forwarding HTTP proxy that injects faults: the storage 503 in "storage 503 → retried".

Requests go to `upstream` (the storage emulator) unchanged unless a scripted
reply is queued, so a test can make the next N calls answer 503 (or hang)
and watch the real client retry through to the emulator.
"""

from __future__ import annotations

import requests

from tests.support.http_standin import HttpStandIn, Recorded, Reply

_HOP_BY_HOP = {"connection", "content-length", "transfer-encoding", "host", "keep-alive"}


class FaultProxy(HttpStandIn):
    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self._session = requests.Session()

    def respond(self, request: Recorded) -> Reply:
        answer = self._session.request(
            request.method,
            self.upstream + request.path,
            params=request.query,
            data=request.body,
            headers={k: v for k, v in request.headers.items() if k not in _HOP_BY_HOP},
            timeout=30,
        )
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers.pop("Content-Encoding", None)  # requests already decoded the body
        return Reply(answer.status_code, answer.content, headers)
