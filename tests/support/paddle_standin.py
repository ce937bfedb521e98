"""A local stand-in for the Paddle Billing API, for the tests and run-emulators.

- GET /customers/{id} answers {"data": {...}, "meta": {...}} or Paddle's 404
  error shape (developer.paddle.com, "Get a customer" and "Errors").
- GET /notification-settings and POST /notification-settings
  (developer.paddle.com/api-reference/notification-settings: list is
  paginated since April 2024, `per_page` default and maximum 200, `after`
  cursor, `order_by=id[DESC]` by default; create needs description, type,
  destination and subscribed_events, answers 201 with the entity, its
  `endpoint_secret_key` (pdl_ntfset_…) and each subscribed event expanded to
  an object with name, description, group and available_versions).
- GET /products (…/products/list-products: active only unless `status`,
  `per_page` default 50 and maximum 200, `include=prices` adds every price of
  the product, archived ones too and unpaginated, as "Include entities" says).
- Lists carry meta.pagination {per_page, next, has_more, estimated_total};
  `next` is a full URL and is present even on the last page.
- A bad field is 400 {"error": {"type": "request_error", "code":
  "invalid_field", "detail", "errors": [{"field", "message"}]}}.

A request without the expected Bearer key gets 403, as Paddle answers a wrong
key. Scripted replies (429 with Retry-After, 5xx, slow answers) come first.
With `any_customer`, an unknown id gets a made-up demo buyer, which is what
the emulator run needs: there the worker looks buyers up through the real
client.
"""

from __future__ import annotations

import itertools
import re
import secrets
from typing import Any
from urllib.parse import unquote, urlencode

from tests.support.http_standin import HttpStandIn, Recorded, Reply

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


class PaddleStandIn(HttpStandIn):
    def __init__(self, api_key: str = "pdl_test_apikey", *, any_customer: bool = False) -> None:
        super().__init__()
        self.api_key = api_key
        self.any_customer = any_customer
        self.customers: dict[str, dict[str, Any]] = {}
        self.notification_settings: list[dict[str, Any]] = []
        self.products: list[dict[str, Any]] = []
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
        if parts == ["notification-settings"]:
            if request.method == "GET":
                return self._page(request, self.notification_settings, default=200)
            if request.method == "POST":
                return self._create_setting(request)
        if parts == ["products"] and request.method == "GET":
            return self._products(request)
        return self._error(404, "not_found", f"no route {request.method} {request.path}")

    def add_product(self, name: str, prices: list[tuple[str, str]], status: str = "active") -> str:
        """A product with (description, status) prices; returns its id."""
        product_id = f"pro_{next(self._ids):026d}"
        self.products.append(
            {
                "id": product_id,
                "name": name,
                "status": status,
                "tax_category": "standard",
                "prices": [
                    {
                        "id": f"pri_{next(self._ids):026d}",
                        "product_id": product_id,
                        "description": description,
                        "status": price_status,
                        "unit_price": {"amount": "1900", "currency_code": "USD"},
                    }
                    for description, price_status in prices
                ],
            }
        )
        return product_id

    def _products(self, request: Recorded) -> Reply:
        wanted = request.query.get("status", ["active"])[0].split(",")
        include = request.query.get("include", [""])[0].split(",")
        found = []
        for product in self.products:
            if product["status"] in wanted:
                shown = dict(product)
                if "prices" not in include:
                    shown.pop("prices")
                found.append(shown)
        return self._page(request, found, default=50)

    def _create_setting(self, request: Recorded) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return self._error(400, "bad_request", "Invalid JSON.")
        problems = [
            {"field": name, "message": "is required"}
            for name in ("description", "type", "destination", "subscribed_events")
            if not body.get(name)
        ]
        if problems:
            return self._invalid(problems)
        entity = {
            "id": f"ntfset_{next(self._ids):026d}",
            "description": body["description"],
            "type": body["type"],
            "destination": body["destination"],
            "active": True,
            "api_version": body.get("api_version", 1),
            "include_sensitive_fields": body.get("include_sensitive_fields", False),
            "subscribed_events": [
                {"name": e, "description": e, "group": e.split(".")[0], "available_versions": [1]}
                for e in body["subscribed_events"]
            ],
            "endpoint_secret_key": f"pdl_ntfset_{secrets.token_hex(16)}",
            "traffic_source": body.get("traffic_source", "platform"),
        }
        self.notification_settings.append(entity)
        return Reply(201, {"data": entity, "meta": {"request_id": f"req-{next(self._ids)}"}})

    def _page(self, request: Recorded, items: list[dict[str, Any]], *, default: int) -> Reply:
        """One page of a list, newest id first, with Paddle's meta.pagination."""
        per_page = min(int(request.query.get("per_page", [default])[0]), 200)
        ordered = sorted(items, key=lambda item: item["id"], reverse=True)
        after = request.query.get("after", [""])[0]
        if after:
            ordered = [item for item in ordered if item["id"] < after]
        page = ordered[:per_page]
        query = {k: v[0] for k, v in request.query.items() if k != "after"}
        query["after"] = page[-1]["id"] if page else after
        pagination = {
            "per_page": per_page,
            "next": f"{self.url}{request.path}?{urlencode(query)}",
            "has_more": len(ordered) > per_page,
            "estimated_total": len(items),
        }
        meta = {"request_id": f"req-{next(self._ids)}", "pagination": pagination}
        return Reply(200, {"data": page, "meta": meta})

    def _invalid(self, errors: list[dict[str, str]]) -> Reply:
        body = {
            "error": {
                "type": "request_error",
                "code": "invalid_field",
                "detail": "Invalid request.",
                "documentation_url": "https://developer.paddle.com/v1/errors/shared/invalid_field",
                "errors": errors,
            },
            "meta": {"request_id": f"req-{next(self._ids)}"},
        }
        return Reply(400, body)

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
