"""A WSGI app served for real on a loopback port, in a thread, recording what it answered.

Pub/Sub's emulator (or a test acting as Pub/Sub) reaches the worker over real
HTTP this way, while the test still builds the app with its own adapters. The
recorder sits outside the app as WSGI middleware: each request's path, headers,
body and status, in arrival order, so a test can count pushes and read the
envelopes the emulator sent.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import make_server


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def json(self) -> Any:
        return json.loads(self.body)


class Recorder:
    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        statuses: list[int] = []

        def recording(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording)
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        with self._lock:
            self.calls.append(Call(environ["PATH_INFO"], headers, body, statuses[-1]))
        return result

    def pushes(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == "/pubsub/push"]


@dataclass(frozen=True)
class Served:
    url: str
    recorder: Recorder

    @property
    def push_url(self) -> str:
        return f"{self.url}/pubsub/push"

    def pushes(self) -> list[Call]:
        return self.recorder.pushes()


@contextmanager
def served(app: Callable[..., Any]) -> Iterator[Served]:
    """Serve app on 127.0.0.1 with one thread per request until the block ends."""
    recorder = Recorder(app)
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", recorder)
    finally:
        server.shutdown()
        server.server_close()
