"""Send to Kindle on the download page: which copies fit in one mail, said in words.

The facts and their sources are stamping/kindle.py (the preflight warns from the same
numbers); the address rule is the message contract's (common/messages: kindle_address).
Pure: no Flask, no cloud client.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.i18n import human_size
from stamping.kindle import AMAZON_MAIL_LIMIT, LARGEST_BOOK, SENDGRID_MAIL_LIMIT, mailed_size

EPUB_TYPE = "application/epub+zip"


@dataclass(frozen=True)
class Oversize:
    """The facts of a copy too large for one mail, for a page to phrase in its language."""

    size: int  # the copy
    mailed: int  # the mail that would carry it, base64 and all
    provider_limit: int = SENDGRID_MAIL_LIMIT
    amazon_limit: int = AMAZON_MAIL_LIMIT
    largest: int = LARGEST_BOOK  # the largest copy that still fits


def oversize(size: int) -> Oversize | None:
    """Why a copy of `size` bytes cannot go to a Kindle in one mail; None when it can."""
    return None if size <= LARGEST_BOOK else Oversize(size, mailed_size(size))


def too_large(size: int) -> str:
    """The same in English words (the worker's record of a refused mail); "" when it fits."""
    facts = oversize(size)
    if facts is None:
        return ""
    return (
        f"this copy ({human_size(size)}) is too large to mail to a Kindle: base64 makes it "
        f"{human_size(facts.mailed)} in a mail, and our mail provider takes "
        f"{human_size(facts.provider_limit)} at most (Amazon {human_size(facts.amazon_limit)}), "
        f"so a book of up to {human_size(facts.largest)} fits. Download it and use Amazon's "
        "Send to Kindle page (amazon.com/sendtokindle) instead"
    )
