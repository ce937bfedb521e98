"""A local stand-in for Lemon Squeezy's API (JSON:API), for `exlibris lemonsqueezy`'s tests.

- Requests (docs.lemonsqueezy.com/api/getting-started/requests): the key as
  `Authorization: Bearer …`, and `Accept` and `Content-Type` both
  `application/vnd.api+json` on every request. A missing or other key is 401;
  another Accept is 406 and another Content-Type 415, as JSON:API servers answer
  (jsonapi.org/format/1.0, "Content Negotiation: Server Responsibilities").
- Answers are `application/vnd.api+json`. A 4xx holds a JSON:API `errors` array
  of objects with `detail`, `status` (a string) and `title`
  (…/api/getting-started/responses, "Errors").
- Lists are page-based (…/requests, "Pagination"): `page[number]` from 1,
  `page[size]` default 10 and 1 to 100 (the official SDK's bound; more is a 400
  here), `meta.page` {currentPage, from, lastPage, perPage, to, total} and
  top-level `links` first and last, with next and prev only where such a page
  exists (URL-encoded, as Lemon Squeezy prints them).
- GET /v1/users/me answers the user with `meta.test_mode`, the key's mode
  (…/api/users/retrieve-user; a test-mode key sees test-mode data only,
  …/api/getting-started). GET /v1/stores/:id answers a store, or 404.
- GET /v1/webhooks, `filter[store_id]` (…/api/webhooks/list-all-webhooks),
  newest first. POST /v1/webhooks (…/api/webhooks/create-webhook): `data.type`
  "webhooks" (another type is a 409, jsonapi.org "Creating Resources"),
  attributes `url`, `events` and `secret` required, `test_mode` optional, and
  `relationships.store.data` {type "stores", id}; answers 201 with the webhook,
  whose secret the API never shows (…/api/webhooks: "The secret is never
  returned in the API"). A secret outside 6 to 40 characters is a 422
  (…/help/webhooks: "between 6 and 40 characters"); so is an unknown event
  (…/help/webhooks/event-types) or a store the key does not own.
- GET /v1/products, `filter[store_id]`, by name (…/api/products/list-all-products);
  GET /v1/variants, `filter[product_id]` and `filter[status]`, by `sort`
  (…/api/variants/list-all-variants). A product's only variant is its
  "default" one, status `pending` (…/api/variants, the variant object).
- Rate limits (…/api/getting-started, "Rate limiting": 300 calls a minute,
  `X-Ratelimit-Limit` and `X-Ratelimit-Remaining` on successful answers, 429
  past the limit). The docs name no header of the 429 itself. `rate_limited(n)`
  is the 429 to script, as Laravel's throttle answers it: `Retry-After` seconds,
  `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` (laravel/framework
  src/Illuminate/Routing/Middleware/ThrottleRequests.php, buildResponse and
  addHeaders). That Lemon Squeezy answers so is our inference: its `meta.page`
  holds the fields of Laravel's length-aware paginator.

Every request is recorded (tests/support/http_standin.py), headers included.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.support.http_standin import HttpStandIn, Recorded, Reply

API_KEY = "ls_test_eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.exlibris"
JSON_API = "application/vnd.api+json"
EVENTS = (  # help/webhooks/event-types
    "order_created",
    "order_refunded",
    "subscription_created",
    "subscription_updated",
    "subscription_cancelled",
    "subscription_resumed",
    "subscription_expired",
    "subscription_paused",
    "subscription_unpaused",
    "subscription_payment_success",
    "subscription_payment_failed",
    "subscription_payment_recovered",
    "subscription_payment_refunded",
    "license_key_created",
    "license_key_updated",
    "affiliate_activated",
)
LIMIT = 300


class LemonSqueezyStandIn(HttpStandIn):
    def __init__(self, api_key: str = API_KEY, *, test_mode: bool = True) -> None:
        super().__init__()
        self.api_key = api_key
        self.test_mode = test_mode
        self.stores: dict[str, dict[str, Any]] = {}
        self.webhooks: list[dict[str, Any]] = []
        self.secrets: dict[str, str] = {}  # webhook id -> its signing secret, never answered
        self.products: list[dict[str, Any]] = []
        self.variants: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._calls = 0

    def add_store(self, name: str = "Held Out Books") -> str:
        store_id = str(next(self._ids))
        slug = name.lower().replace(" ", "-")
        self.stores[store_id] = {
            "type": "stores",
            "id": store_id,
            "attributes": {"name": name, "slug": slug, "currency": "USD"},
        }
        return store_id

    def add_product(
        self,
        store_id: str,
        name: str,
        variants: list[tuple[str, int, str]] | None = None,
        *,
        status: str = "published",
    ) -> tuple[str, list[str]]:
        """A product with these (name, price in cents, status) variants, or only the default one."""
        product_id = str(next(self._ids))
        self.products.append(
            _resource(
                "products",
                product_id,
                {"store_id": int(store_id), "name": name, "status": status, "test_mode": True},
            )
        )
        ids = []
        for sort, (label, price, state) in enumerate(variants or [("Default", 999, "pending")]):
            variant_id = str(next(self._ids))
            attributes = {"product_id": int(product_id), "name": label, "price": price}
            attributes |= {"is_subscription": False, "sort": sort, "status": state}
            self.variants.append(_resource("variants", variant_id, attributes))
            ids.append(variant_id)
        return product_id, ids

    def respond(self, request: Recorded) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "Unauthorized", "Unauthenticated.")
        if request.headers.get("accept") != JSON_API:
            return _error(406, "Not Acceptable", f"Accept must be {JSON_API}")
        if request.headers.get("content-type") != JSON_API:
            return _error(415, "Unsupported Media Type", f"Content-Type must be {JSON_API}")
        self._calls += 1
        reply = self._route(request)
        if reply.status >= 400:
            return reply
        left = str(max(0, LIMIT - self._calls))
        remaining = {"X-Ratelimit-Limit": str(LIMIT), "X-Ratelimit-Remaining": left}
        return Reply(reply.status, reply.body, {**reply.headers, **remaining})

    def _route(self, request: Recorded) -> Reply:
        parts = request.path.strip("/").split("/")
        if request.method == "GET" and parts == ["v1", "users", "me"]:
            user = _resource("users", "1", {"name": "Ada Author", "email": "ada@example.com"})
            return _document({"meta": {"test_mode": self.test_mode}, "data": user})
        if request.method == "GET" and parts[:2] == ["v1", "stores"] and len(parts) == 3:
            store = self.stores.get(parts[2])
            if store is None:
                return _error(404, "Not Found", "The requested resource could not be found.")
            return _document({"data": store})
        if parts == ["v1", "webhooks"] and request.method == "POST":
            return self._create_webhook(request)
        lists = {
            "webhooks": (self._own_mode(self.webhooks)[::-1], ("store_id",)),
            "products": (sorted(self.products, key=_name), ("store_id",)),
            "variants": (self.variants, ("product_id", "status")),
        }
        if request.method == "GET" and len(parts) == 2 and parts[1] in lists:
            found, filters = lists[parts[1]]
            return self._list(request, _filtered(request, found, filters))
        return _error(404, "Not Found", f"no route {request.method} {request.path}")

    def _own_mode(self, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What a key sees: test-mode data with a test-mode key, live data with a live one."""
        return [r for r in found if r["attributes"].get("test_mode") == self.test_mode]

    def _create_webhook(self, request: Recorded) -> Reply:
        try:
            data = request.json()["data"]
            attributes, store = data["attributes"], data["relationships"]["store"]["data"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "Bad Request", "The request body is not a webhooks resource.")
        if data.get("type") != "webhooks":
            return _error(409, "Conflict", "The resource type does not match the endpoint.")
        problem = _invalid(attributes, store, self.stores)
        if problem:
            return _error(422, "Unprocessable Entity", problem)
        webhook_id = str(next(self._ids))
        self.secrets[webhook_id] = attributes["secret"]
        webhook = _resource(
            "webhooks",
            webhook_id,
            {
                "store_id": int(store["id"]),
                "url": attributes["url"],
                "events": list(attributes["events"]),
                "last_sent_at": None,
                "created_at": "2026-01-01T00:00:00.000000Z",
                "updated_at": "2026-01-01T00:00:00.000000Z",
                "test_mode": bool(attributes.get("test_mode", False)),
            },
        )
        self.webhooks.append(webhook)
        return _document({"data": webhook}, status=201)

    def _list(self, request: Recorded, found: list[dict[str, Any]]) -> Reply:
        try:
            number = int(request.query.get("page[number]", ["1"])[0])
            size = int(request.query.get("page[size]", ["10"])[0])
        except ValueError:
            return _error(400, "Bad Request", "page[number] and page[size] are integers.")
        if number < 1 or not 1 <= size <= 100:
            return _error(400, "Bad Request", "page[size] must be between 1 and 100.")
        last = max(1, -(-len(found) // size))
        start = (number - 1) * size
        page = found[start : start + size]
        query = {k: v[0] for k, v in request.query.items() if not k.startswith("page[")}
        links = {
            "first": self._link(request, query, 1, size),
            "last": self._link(request, query, last, size),
        }
        if number < last:
            links["next"] = self._link(request, query, number + 1, size)
        if number > 1:
            links["prev"] = self._link(request, query, number - 1, size)
        meta = {
            "currentPage": number,
            "from": start + 1 if page else None,
            "lastPage": last,
            "perPage": size,
            "to": start + len(page) if page else None,
            "total": len(found),
        }
        return _document({"meta": {"page": meta}, "links": links, "data": page})

    def _link(self, request: Recorded, query: dict[str, str], number: int, size: int) -> str:
        params = {**query, "page[number]": str(number), "page[size]": str(size)}
        return f"{self.url}{request.path}?{urlencode(params)}"


def rate_limited(retry_after: int = 1) -> Reply:
    """The 429 Laravel's throttle answers once the minute's 300 calls are spent."""
    headers = {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": str(LIMIT),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(time.time()) + retry_after),
    }
    reply = _error(429, "Too Many Requests", "Too Many Attempts.")
    return Reply(429, reply.body, {**reply.headers, **headers})


def _invalid(
    attributes: dict[str, Any], store: dict[str, Any], stores: dict[str, Any]
) -> str | None:
    url, events, secret = (attributes.get(k) for k in ("url", "events", "secret"))
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "The url field must be a valid URL."
    if not isinstance(events, list) or not events or not set(events) <= set(EVENTS):
        return "The events field must hold one or more valid events."
    if not isinstance(secret, str) or not 6 <= len(secret) <= 40:
        return "The secret must be between 6 and 40 characters."
    if (
        not isinstance(store, dict)
        or store.get("type") != "stores"
        or store.get("id") not in stores
    ):
        return "The store relationship must name one of your stores."
    return None


def _filtered(
    request: Recorded, found: list[dict[str, Any]], filters: tuple[str, ...]
) -> list[dict[str, Any]]:
    for name in filters:
        wanted = request.query.get(f"filter[{name}]")
        if wanted:
            found = [r for r in found if str(r["attributes"].get(name)) == wanted[0]]
    return found


def _name(resource: dict[str, Any]) -> str:
    return str(resource["attributes"].get("name", ""))


def _resource(kind: str, resource_id: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "id": resource_id, "attributes": attributes}


def _document(body: dict[str, Any], status: int = 200) -> Reply:
    encoded = json.dumps({"jsonapi": {"version": "1.0"}, **body})
    return Reply(status, encoded, {"Content-Type": JSON_API})


def _error(status: int, title: str, detail: str) -> Reply:
    error = {"detail": detail, "status": str(status), "title": title}
    return _document({"errors": [error]}, status)
