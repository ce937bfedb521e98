"""Messages of a request: a buyer's (a deleted copy, fresh links) or the author's (a
re-send, a new edition). Each names what it is for and goes to that order or address only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from common.i18n import normalize
from common.messages._buyer_data import clean_id, kindle_address, parse_email
from common.messages._fields import VERSION, ContractError, check_ids, checked


def check_file_index(index: object) -> None:
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 1000:
        raise ContractError("file_index must be a small non-negative integer")


@dataclass(frozen=True)
class CopyRequested:
    """A buyer wants a copy the bucket's lifecycle rule deleted: stamp it again."""

    TYPE: ClassVar[str] = "copy.requested"
    order_id: str
    file_index: int
    request_id: str
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "request_id", "occurred_at")
        check_file_index(self.file_index)

    @property
    def idempotency_key(self) -> str:
        return f"copy:{self.order_id}:{self.file_index}"


@dataclass(frozen=True)
class LinksRequested:
    """A buyer asked for fresh links; they go to this address only."""

    TYPE: ClassVar[str] = "links.requested"
    email: str
    request_id: str
    occurred_at: str
    version: int = VERSION
    # The language of the page that asked (common/i18n: "fr"), for the mail of an order
    # the store named none for; "" for none, or one we do not speak.
    language: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", checked(parse_email, self.email))
        check_ids(self, "request_id", "occurred_at")
        object.__setattr__(self, "language", normalize(self.language))

    @property
    def idempotency_key(self) -> str:
        return f"links:{self.request_id}"


@dataclass(frozen=True)
class KindleRequested:
    """A buyer asked, on the download page, for one copy mailed to their Kindle's address.

    The service counted the download; the worker mails the stamped copy as an attachment
    to `kindle_email` only (a Kindle's own address, common/kindle.py), and keeps that
    address nowhere but masked in the order's list of mails.
    """

    TYPE: ClassVar[str] = "kindle.requested"
    order_id: str
    file_index: int
    kindle_email: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "request_id", "occurred_at")
        check_file_index(self.file_index)
        object.__setattr__(self, "kindle_email", checked(kindle_address, self.kindle_email))

    @property
    def idempotency_key(self) -> str:
        return f"kindle:{self.request_id}"


@dataclass(frozen=True)
class ResendRequested:
    """The author asked to mail one order's links again, to the order's own address.

    With `to` (and its `reason`, required with it) the order's address is corrected
    first: this mail and every later one go there. `requested_by` names who asked.
    All three are optional and default to "", so messages written before them still read.
    """

    TYPE: ClassVar[str] = "order.resend-requested"
    order_id: str
    request_id: str
    occurred_at: str
    version: int = VERSION
    to: str = ""
    reason: str = ""
    requested_by: str = ""

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "request_id", "occurred_at")
        for name in ("to", "reason", "requested_by"):
            if not isinstance(getattr(self, name), str):
                raise ContractError(f"{name} must be text")
        if self.to.strip():
            object.__setattr__(self, "to", checked(parse_email, self.to))
            object.__setattr__(self, "reason", checked(clean_id, self.reason, "reason"))
        elif self.reason.strip():
            raise ContractError("reason is for a corrected address: give `to` too")
        else:
            object.__setattr__(self, "to", "")
            object.__setattr__(self, "reason", "")
        if self.requested_by.strip():
            by = checked(clean_id, self.requested_by, "requested_by")
            object.__setattr__(self, "requested_by", by)
        else:
            object.__setattr__(self, "requested_by", "")

    @property
    def idempotency_key(self) -> str:
        return f"resend:{self.request_id}:{self.order_id}"


@dataclass(frozen=True)
class EditionReissued:
    """The author uploaded a new edition of a product: re-stamp this order's copies, mail once.

    `edition` names the originals' generations the console saw (common/reissues.py);
    the worker stamps from the current originals and marks this edition done.
    """

    TYPE: ClassVar[str] = "edition.reissued"
    order_id: str
    product: str
    edition: str
    request_id: str
    occurred_at: str
    version: int = VERSION

    def __post_init__(self) -> None:
        check_ids(self, "order_id", "product", "edition", "request_id", "occurred_at")

    @property
    def idempotency_key(self) -> str:
        return f"reissue:{self.product}:{self.edition}:{self.order_id}"


@dataclass(frozen=True)
class ErasureRequested:
    """A buyer asked for their data to be erased (`exlibris forget`): every order of this
    address loses its buyer's name and address and its copies, and keeps its accounts."""

    TYPE: ClassVar[str] = "buyer.erasure-requested"
    email: str
    request_id: str
    occurred_at: str
    requested_by: str
    version: int = VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", checked(parse_email, self.email))
        check_ids(self, "request_id", "occurred_at", "requested_by")

    @property
    def idempotency_key(self) -> str:
        return f"erasure:{self.request_id}"
