"""A real HTTP server on 127.0.0.1 that stands in for a third-party API in tests.

It listens on an ephemeral port in a background thread and records every
request. A test scripts faults by queueing replies (status, headers, body and
an optional delay before answering); once the queue is empty the stand-in's
own `respond` answers, as the real API would.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes | str | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            return self.body.encode(), headers
        return self.body or b"", headers


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout under test) is expected; stay quiet."""


class HttpStandIn:
    """Subclasses implement respond(request) -> Reply for the un-scripted case."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[tuple[str, Reply]] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HttpStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HttpStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply, path_prefix: str = "") -> None:
        """Answer the next requests (under path_prefix) with these replies, in order."""
        with self._lock:
            self._script.extend((path_prefix, reply) for reply in replies)

    def respond(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def _reply_to(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            scripted = next((e for e in self._script if request.path.startswith(e[0])), None)
            if scripted is not None:
                self._script.remove(scripted)
        return scripted[1] if scripted else self.respond(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Recorded(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = standin._reply_to(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body, headers = reply.encoded()
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class ToLocal(requests.adapters.HTTPAdapter):
    """Sends what a real client's session asks of a Google URL to a local stand-in instead.

    Mounted on a requests.Session for a prefix such as https://www.googleapis.com/, so
    the client builds its real request and only the destination changes.
    """

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self.base + (request.path_url or "/")
        return super().send(request, **kwargs)


def session_to(prefix: str, base: str) -> requests.Session:
    """A session whose requests under prefix go to the stand-in at base."""
    session = requests.Session()
    session.mount(prefix, ToLocal(base))
    return session
