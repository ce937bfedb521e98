"""What every message of the contract shares: its version, its error, and checked ids.

Ids and free text are checked and stripped once, when a message is made, through
common/buyer_data.py, so a message that exists is one every adapter can take as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from common.messages._buyer_data import BuyerDataError, clean_id

# 2: OrderPaid names its merchant and merchant-qualified product ids, or (Stripe) the
# lookup_ref the worker lists them by and the payment_ref refunds name; payment.revoked
# and payment.restored. Nothing was released with 2 before these, so it stays 2.
VERSION = 2
READ_VERSIONS = (1, 2)  # messages of version 1 still read (common/messages/_codec.py)

# An order id names objects in the bucket (orders/<id>.json, copies/<id>/…) and travels
# in URLs, so it keeps to a safe alphabet; "." and ".." would name folders, not orders.
_ORDER_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# A checkout reference (the buyer's key to /thanks?ref=…) names index/checkouts/<ref> and
# travels in a URL. Stripe's Checkout Session ids (cs_live_…) fit; a shop page's own
# exlibris_ref must be 16+ random characters, so a shorter one guards nothing.
CHECKOUT_REF_MIN = 16
_CHECKOUT_REF = re.compile(rf"[A-Za-z0-9_-]{{{CHECKOUT_REF_MIN},128}}")


class ContractError(ValueError):
    """A message or push envelope does not match the contract; retrying cannot fix it."""


def checked(clean: Callable[..., str], value: object, *args: str) -> str:
    """`clean(value)`, its refusal turned into the contract's error."""
    try:
        return clean(value, *args)
    except BuyerDataError as exc:
        raise ContractError(str(exc)) from None


def check_ids(message: object, *names: str) -> None:
    """Check and strip the id fields of a frozen message in place (order ids: clean_order_id)."""
    for name in names:
        value = checked(clean_id, getattr(message, name), name)
        object.__setattr__(message, name, clean_order_id(value) if name == "order_id" else value)


def check_refs(message: object, *names: str) -> None:
    """Check and strip optional merchant references ("" stays ""); each may name an object."""
    for name in names:
        value = getattr(message, name)
        if not isinstance(value, str):
            raise ContractError(f"{name} must be text")
        if value.strip():
            object.__setattr__(message, name, clean_ref(checked(clean_id, value, name), name))
        else:
            object.__setattr__(message, name, "")


def clean_ref(value: str, what: str) -> str:
    """A merchant id naming an object (index/payments/<merchant>/<ref>): order-id alphabet."""
    if not _ORDER_ID.fullmatch(value) or value in (".", ".."):
        raise ContractError(f"{what} must be 1 to 128 letters, digits, '.', '_' or '-'")
    return value


def clean_checkout_ref(value: object) -> str:
    """The reference if it is one /thanks may be found by, else "" (never a refusal).

    It comes from a checkout the buyer's browser filled in, so a bad one must not cost
    the sale: the order is delivered by mail and /links as always, just not indexed.
    """
    if isinstance(value, str) and _CHECKOUT_REF.fullmatch(value.strip()):
        return value.strip()
    return ""


def clean_order_id(value: str) -> str:
    """1 to 128 letters, digits, '.', '_' or '-', but not '.' or '..'; else ContractError."""
    if not _ORDER_ID.fullmatch(value) or value in (".", ".."):
        raise ContractError("order_id must be 1 to 128 letters, digits, '.', '_' or '-'")
    return value


def id_tuple(values: object, what: str) -> tuple[str, ...]:
    """A non-empty list of ids, each checked, as a tuple."""
    if not isinstance(values, list | tuple) or not values:
        raise ContractError(f"{what} must be a non-empty list")
    return tuple(checked(clean_id, v, what) for v in values)


def now_iso(clock: Callable[[], float] | None = None) -> str:
    """Now, in UTC, as messages and records write times: 2026-05-01T12:00:00Z.

    `clock` (seconds since the epoch) is an app's own, when it keeps one (the worker's
    deps.clock): the record's times then agree with the claims and links timed by it.
    """
    moment = datetime.fromtimestamp(clock(), UTC) if clock else datetime.now(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
