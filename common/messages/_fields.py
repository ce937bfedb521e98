"""What every message of the contract shares: its version, its error, and checked ids.

Ids and free text are checked and stripped once, when a message is made, through
common/buyer_data.py, so a message that exists is one every adapter can take as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from common.messages._buyer_data import BuyerDataError, clean_id

VERSION = 1


class ContractError(ValueError):
    """A message or push envelope does not match the contract; retrying cannot fix it."""


def checked(clean: Callable[..., str], value: object, *args: str) -> str:
    """`clean(value)`, its refusal turned into the contract's error."""
    try:
        return clean(value, *args)
    except BuyerDataError as exc:
        raise ContractError(str(exc)) from None


def check_ids(message: object, *names: str) -> None:
    """Check and strip the id fields of a frozen message in place."""
    for name in names:
        object.__setattr__(message, name, checked(clean_id, getattr(message, name), name))


def id_tuple(values: object, what: str) -> tuple[str, ...]:
    """A non-empty list of ids, each checked, as a tuple."""
    if not isinstance(values, list | tuple) or not values:
        raise ContractError(f"{what} must be a non-empty list")
    return tuple(checked(clean_id, v, what) for v in values)


def now_iso() -> str:
    """Now, in UTC, as messages and records write times: 2026-05-01T12:00:00Z."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
