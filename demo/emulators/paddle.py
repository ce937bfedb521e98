"""A stand-in of Paddle's customer API for `make run-emulators`.

Off the embedded stack the worker refuses to invent buyers, so the emulator
run gives it what production has: PADDLE_API_KEY and PADDLE_API_URL, pointing
here. The real PaddleCustomers client then asks `GET /customers/<id>` and gets
a demo buyer, so the customer lookup is exercised like the other clients.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_CUSTOMER = re.compile(r"^/customers/([A-Za-z0-9_-]{1,64})$")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        match = _CUSTOMER.match(self.path.split("?", 1)[0])
        if match is None:
            self._answer(404, {"error": {"code": "not_found", "detail": "no such route"}})
            return
        customer = match.group(1)
        self._answer(
            200,
            {
                "data": {
                    "id": customer,
                    "name": "Demo Buyer",
                    "email": f"demo+{customer}@example.com",
                }
            },
        )

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def serve_paddle_standin() -> ThreadingHTTPServer:
    """Start the stand-in on a free loopback port; stop it with .shutdown()."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, name="paddle-standin", daemon=True).start()
    return server
