"""Reading a verified webhook's JSON: the body as an object, and typed fields by their path.

Each reader raises EventError naming where the field sits (`data.items[0].price.id`),
so a 400 says what the storefront sent wrong. A text field is a non-empty string as
sent; an id is a JSON integer of zero or more (never a float or a bool) or a
non-empty string, as Shopify's ids and Lemon Squeezy's JSON:API ids arrive. The checkout
reference a shop page put in a checkout's custom data is read leniently (custom_ref). Pure.
"""

from __future__ import annotations

import json
from typing import Any

from common.merchants._events import EventError


def load_object(body: bytes, *, encoding: str | None = None) -> dict[str, Any]:
    """The body as a JSON object (decoded with `encoding` first, when given); else EventError."""
    try:
        payload = json.loads(body if encoding is None else body.decode(encoding))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise EventError("body is not JSON") from None
    if not isinstance(payload, dict):
        raise EventError("body is not a JSON object")
    return payload


def object_field(parent: Any, key: str, path: str) -> dict[str, Any]:
    """The object at `key` of `parent` (which may be anything JSON holds)."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(value, dict):
        raise EventError(f"{path} is missing or not an object")
    return value


def text_field(parent: dict[str, Any], key: str, path: str) -> str:
    """The non-empty string at `key`, as sent."""
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise EventError(f"{path} is missing or not a non-empty string")
    return value


def id_field(parent: dict[str, Any], key: str, path: str) -> str:
    """The id at `key` as text: a JSON integer of zero or more, or a non-empty string."""
    value = parent.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value:
        return value
    raise EventError(f"{path} is missing or not an id")


CHECKOUT_REF_KEY = "exlibris_ref"  # the key a shop page sets in a checkout's custom data


def custom_ref(custom_data: object) -> str:
    """`exlibris_ref` of a checkout's custom data, when usable; "" for anything else.

    The buyer's browser filled it in, so nothing in it may refuse the sale: the contract
    drops a reference that is too short or not plain text (common/messages).
    """
    value = custom_data.get(CHECKOUT_REF_KEY) if isinstance(custom_data, dict) else None
    return value if isinstance(value, str) else ""
