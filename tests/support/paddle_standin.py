"""A local stand-in for the Paddle Billing API's customers, for the tests and run-emulators.

GET /customers/{id} answers {"data": {...}, "meta": {...}} or Paddle's 404
error shape (developer.paddle.com, "Get a customer" and "Errors"). A request
without the expected Bearer key gets 403, as Paddle answers a wrong key.
Scripted replies (429 with Retry-After, 5xx, slow answers) come first. With
`any_customer`, an unknown id gets a made-up demo buyer, which is what the
emulator run needs: there the worker looks buyers up through the real client.
"""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import unquote

from tests.support.http_standin import HttpStandIn, Recorded, Reply

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


class PaddleStandIn(HttpStandIn):
    def __init__(self, api_key: str = "pdl_test_apikey", *, any_customer: bool = False) -> None:
        super().__init__()
        self.api_key = api_key
        self.any_customer = any_customer
        self.customers: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def add_customer(self, customer_id: str, email: str, name: str | None = None) -> None:
        self.customers[customer_id] = {
            "id": customer_id,
            "name": name,
            "email": email,
            "marketing_consent": False,
            "status": "active",
            "custom_data": None,
            "locale": "en",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
            "import_meta": None,
        }

    def respond(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(403, "forbidden", "You aren't permitted to perform this request.")
        parts = [unquote(part) for part in request.path.strip("/").split("/")]
        if request.method == "GET" and len(parts) == 2 and parts[0] == "customers":
            customer = self.customers.get(parts[1])
            if customer is None and self.any_customer:
                local = _SAFE.sub("-", parts[1])[:64] or "customer"
                self.add_customer(parts[1], f"demo+{local}@example.com", "Demo Buyer")
                customer = self.customers[parts[1]]
            return self._ok(customer) if customer else self._not_found(parts[1])
        return self._error(404, "not_found", f"no route {request.method} {request.path}")

    def _ok(self, data: dict[str, Any]) -> Reply:
        return Reply(200, {"data": data, "meta": {"request_id": f"req-{next(self._ids)}"}})

    def _not_found(self, entity_id: str) -> Reply:
        return self._error(404, "not_found", f"Entity {entity_id} not found")

    def _error(self, status: int, code: str, detail: str) -> Reply:
        body = {
            "error": {"type": "request_error", "code": code, "detail": detail},
            "meta": {"request_id": f"req-{next(self._ids)}"},
        }
        return Reply(status, body)
