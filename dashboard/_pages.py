"""What every page module shares: the console's deps, the actor, and refusals in words."""

from __future__ import annotations

import re
from typing import NoReturn

from flask import abort, g

from console.deps import ConsoleDeps
from console.errors import ConsoleError
from dashboard.deps import current_deps

# Order ids as the stores make them (txn_…, cs_…, numbers, Shopify's gids): printable, short.
_ORDER_ID = re.compile(r"[\w.:@/+=-]{1,200}")


def console() -> ConsoleDeps:
    """The console's deps of the app handling the request."""
    return current_deps().console


def actor() -> str:
    """Who is asking (the gate in app.py set it): recorded with every action."""
    who: str = g.actor
    return who


def is_order_id(text: str) -> bool:
    return _ORDER_ID.fullmatch(text) is not None


def checked_order_id(order_id: str) -> str:
    if not is_order_id(order_id):
        abort(404, "no such order")
    return order_id


def refuse(exc: ConsoleError) -> NoReturn:
    """The console's sentence as the page's answer: 404 for a missing thing, else 400."""
    reason = str(exc)
    abort(404 if reason.startswith("no ") else 400, reason)


def shown(value: object) -> bool:
    """A form's or query's yes ("1", "true", "on")."""
    return str(value).lower() in ("1", "true", "on", "yes")
