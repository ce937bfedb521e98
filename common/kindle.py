"""Send to Kindle on the download page: which copies fit in one mail, said in words.

The facts and their sources are stamping/kindle.py (the preflight warns from the same
numbers); the address rule is the message contract's (common/messages: kindle_address).
Pure: no Flask, no cloud client.
"""

from __future__ import annotations

from common.i18n import human_size
from stamping.kindle import AMAZON_MAIL_LIMIT, LARGEST_BOOK, SENDGRID_MAIL_LIMIT, mailed_size

EPUB_TYPE = "application/epub+zip"


def too_large(size: int) -> str:
    """Why a copy of `size` bytes cannot go to a Kindle in one mail; "" when it can."""
    if size <= LARGEST_BOOK:
        return ""
    return (
        f"this copy ({human_size(size)}) is too large to mail to a Kindle: base64 makes it "
        f"{human_size(mailed_size(size))} in a mail, and our mail provider takes "
        f"{human_size(SENDGRID_MAIL_LIMIT)} at most (Amazon {human_size(AMAZON_MAIL_LIMIT)}), "
        f"so a book of up to {human_size(LARGEST_BOOK)} fits. Download it and use Amazon's "
        "Send to Kindle page (amazon.com/sendtokindle) instead"
    )
