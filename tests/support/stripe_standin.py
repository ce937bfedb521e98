"""A local stand-in for Stripe's API: a Checkout Session's line items, for tests.

- GET /v1/checkout/sessions/{id}/line_items ("Retrieve a Checkout Session's line
  items", docs.stripe.com/api/checkout/sessions/line_items): a list object
  {"object": "list", "data": [item…], "has_more", "url"}; `limit` 1 to 100,
  default 10 (more is a 400); `starting_after` an item id; the last page says
  `has_more: false` (docs.stripe.com/api/pagination). Each item is a Line Item
  {"id": "li_…", "object": "item", "amount_total", "currency", "description",
  "price": {"id": "price_…", "object": "price", "product": "prod_…", …}, "quantity"}.
- `expand[]=data.price.product` turns each `price.product` id into the Product
  object (docs.stripe.com/api/expanding_objects); `page(…, expanded=True)`
  builds that answer for a script.
- An unknown session is 404 `resource_missing` ("No such checkout.session"),
  Stripe's error shape {"error": {"code", "doc_url", "message", "param", "type"}}
  (docs.stripe.com/api/errors). A request without the Bearer key is 401.
- `rate_limited(retry_after)`: a 429 with code `rate_limit` and a Retry-After
  header, to script before the real answer (docs.stripe.com/rate-limits: "429 Too
  Many Requests"; Stripe's error codes list `rate_limit`).

- For `exlibris stripe connect|products`: GET and POST /v1/webhook_endpoints
  (docs.stripe.com/api/webhook_endpoints: a form-encoded create with `url`,
  `enabled_events[]` and `description` answers the endpoint with its `secret`,
  whsec_…, which a list never shows again; a create without url or events is a
  400 `parameter_missing`), GET /v1/products and GET /v1/prices (`active=true`
  filters; a price's `product` is the product's id), each a paged list as above.

Every request is recorded (tests/support/http_standin.py), headers included, so
a test sees the key, the limit and the cursor the client sent.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.support.http_standin import HttpStandIn, Recorded, Reply

API_KEY = "rk_test_exlibris_line_items"


class StripeStandIn(HttpStandIn):
    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.sessions: dict[str, list[dict[str, Any]]] = {}
        self.endpoints: list[dict[str, Any]] = []
        self.products: list[dict[str, Any]] = []
        self.prices: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def add_session(self, session_id: str, lines: list[tuple[str, str]]) -> None:
        """A Checkout Session whose line items sell these (price id, product id) pairs."""
        self.sessions[session_id] = [self._item(price, product) for price, product in lines]

    def respond(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "", "Invalid API Key provided", "invalid_request_error")
        parts = [unquote(part) for part in request.path.strip("/").split("/")]
        route = parts[:3] == ["v1", "checkout", "sessions"] and parts[4:] == ["line_items"]
        if request.method == "GET" and len(parts) == 5 and route:
            return self._line_items(parts[3], request)
        if parts == ["v1", "webhook_endpoints"]:
            if request.method == "POST":
                return self._create_endpoint(request)
            public = [{k: v for k, v in e.items() if k != "secret"} for e in self.endpoints]
            return self._list(request, public, "/v1/webhook_endpoints")
        if parts == ["v1", "products"] and request.method == "GET":
            return self._list(request, self._active(request, self.products), "/v1/products")
        if parts == ["v1", "prices"] and request.method == "GET":
            return self._list(request, self._active(request, self.prices), "/v1/prices")
        message = f"Unrecognized request URL ({request.method}: {request.path})"
        return _error(404, "", message, "invalid_request_error")

    def add_product(self, name: str, prices: list[int], *, active: bool = True) -> str:
        """A product with one-off prices of these amounts (minor units); returns its id."""
        product_id = f"prod_{next(self._ids):014d}"
        self.products.append(
            {"id": product_id, "object": "product", "active": active, "name": name}
        )
        for amount in prices:
            self.prices.append(
                {
                    "id": f"price_{next(self._ids):024d}",
                    "object": "price",
                    "active": True,
                    "currency": "usd",
                    "nickname": None,
                    "product": product_id,
                    "type": "one_time",
                    "unit_amount": amount,
                }
            )
        return product_id

    def _create_endpoint(self, request: Recorded) -> Reply:
        form = parse_qs(request.body.decode())
        for field in ("url", "enabled_events[]"):
            if not form.get(field):
                message = f"Missing required param: {field.removesuffix('[]')}."
                return _error(400, "parameter_missing", message, "invalid_request_error", field)
        endpoint = {
            "id": f"we_{next(self._ids):024d}",
            "object": "webhook_endpoint",
            "api_version": None,
            "description": form.get("description", [None])[0],
            "enabled_events": form["enabled_events[]"],
            "livemode": False,
            "metadata": {},
            "secret": f"whsec_{secrets.token_hex(16)}",
            "status": "enabled",
            "url": form["url"][0],
        }
        self.endpoints.append(endpoint)
        return Reply(200, endpoint)

    def _active(self, request: Recorded, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if request.query.get("active") == ["true"]:
            return [f for f in found if f.get("active")]
        return found

    def _list(self, request: Recorded, found: list[dict[str, Any]], url: str) -> Reply:
        limit = int(request.query.get("limit", ["10"])[0])
        after = request.query.get("starting_after", [""])[0]
        start = next((n + 1 for n, i in enumerate(found) if i["id"] == after), 0) if after else 0
        page = found[start : start + limit]
        body = {"object": "list", "data": page, "has_more": start + limit < len(found), "url": url}
        return Reply(200, body)

    def page(self, session_id: str, *, expanded: bool = False, limit: int = 10) -> Reply:
        """The first page Stripe answers for this session (with the products expanded)."""
        query = {"limit": [str(limit)]}
        if expanded:
            query["expand[]"] = ["data.price.product"]
        recorded = Recorded("GET", f"/v1/checkout/sessions/{session_id}/line_items", query, {}, b"")
        return self._line_items(session_id, recorded)

    def _line_items(self, session_id: str, request: Recorded) -> Reply:
        items = self.sessions.get(session_id)
        if items is None:
            message = f"No such checkout.session: '{session_id}'"
            return _error(404, "resource_missing", message, "invalid_request_error", "id")
        limit = int(request.query.get("limit", ["10"])[0])
        if not 1 <= limit <= 100:
            message = "This value must be less than or equal to 100."
            return _error(
                400, "parameter_invalid_integer", message, "invalid_request_error", "limit"
            )
        after = request.query.get("starting_after", [""])[0]
        start = next((n + 1 for n, i in enumerate(items) if i["id"] == after), 0) if after else 0
        page = items[start : start + limit]
        if "data.price.product" in request.query.get("expand[]", []):
            page = [_expanded(item) for item in page]
        body = {
            "object": "list",
            "data": page,
            "has_more": start + limit < len(items),
            "url": f"/v1/checkout/sessions/{session_id}/line_items",
        }
        return Reply(200, body, headers={"Request-Id": f"req_{next(self._ids):014d}"})

    def _item(self, price: str, product: str) -> dict[str, Any]:
        return {
            "id": f"li_1N4BEoLkdIwHu7ix{next(self._ids):08d}",
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": 2900,
            "amount_tax": 0,
            "amount_total": 2900,
            "currency": "usd",
            "description": "Practical Python Projects (eBook)",
            "price": {
                "id": price,
                "object": "price",
                "active": True,
                "billing_scheme": "per_unit",
                "currency": "usd",
                "livemode": False,
                "lookup_key": None,
                "metadata": {},
                "product": product,
                "type": "one_time",
                "unit_amount": 2900,
            },
            "quantity": 1,
        }


def rate_limited(retry_after: int = 1) -> Reply:
    """The 429 Stripe answers when the account's request rate is exceeded."""
    reply = _error(429, "rate_limit", "Request rate limit exceeded.", "invalid_request_error")
    return Reply(429, reply.body, headers={"Retry-After": str(retry_after)})


def _expanded(item: dict[str, Any]) -> dict[str, Any]:
    product = item["price"]["product"]
    price = {**item["price"], "product": {"id": product, "object": "product", "name": "eBook"}}
    return {**item, "price": price}


def _error(status: int, code: str, message: str, kind: str, param: str = "") -> Reply:
    error: dict[str, Any] = {"message": message, "type": kind}
    if code:
        error |= {
            "code": code,
            "doc_url": f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}",
        }
    if param:
        error["param"] = param
    return Reply(status, {"error": error})
