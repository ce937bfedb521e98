"""A local stand-in for the Paddle Billing API: customers and transactions.

GET /customers/{id} answers {"data": {...}, "meta": {...}} or Paddle's 404
error shape; GET /transactions/{id}?include=customer embeds the customer.
A request without the expected Bearer key gets 403. Scripted replies (429
with Retry-After, 5xx, slow answers) come first.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.support.http_standin import HttpStandIn, Recorded, Reply


class PaddleStandIn(HttpStandIn):
    def __init__(self, api_key: str = "pdl_test_apikey") -> None:
        super().__init__()
        self.api_key = api_key
        self.customers: dict[str, dict[str, Any]] = {}
        self.transactions: dict[str, str] = {}  # transaction id -> customer id
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
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and len(parts) == 2 and parts[0] == "customers":
            customer = self.customers.get(parts[1])
            return self._ok(customer) if customer else self._not_found(parts[1])
        if request.method == "GET" and len(parts) == 2 and parts[0] == "transactions":
            return self._transaction(parts[1], "customer" in request.query.get("include", [""])[0])
        return self._error(404, "not_found", f"no route {request.method} {request.path}")

    def _transaction(self, txn_id: str, include_customer: bool) -> Reply:
        customer_id = self.transactions.get(txn_id)
        if customer_id is None:
            return self._not_found(txn_id)
        data: dict[str, Any] = {"id": txn_id, "status": "completed", "customer_id": customer_id}
        if include_customer:
            data["customer"] = self.customers.get(customer_id)
        return self._ok(data)

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
