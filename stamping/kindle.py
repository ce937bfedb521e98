"""What Send to Kindle by e-mail takes: the facts the page, the worker and the preflight share.

Amazon's Send to Kindle takes EPUB by mail since August 2022 and MOBI no longer (Amazon's
notice, quoted in github.com/qcgzxw/ebook-sender-bot's README; seblucas/cops#526). Each
reader's address ends in @kindle.com (or @free.kindle.com), and Amazon delivers only mail
from senders on the reader's "Approved Personal Document E-mail List"; mail from anyone
else is dropped, silently on many accounts (github.com/DataHearth/streamline/wiki/
Send-to-Kindle). One mail holds at most 25 attachments and 50 MB in all
(geekupdated.com/kindle-email-everything-you-need-to-know/; BenjaminBini/send-to-kindle-mcp).

The tighter limit is our mail provider's: SendGrid takes a mail of at most 30 MB,
"calculated from the entire JSON payload" (sendgrid/sendgrid-php#491), where an attachment
travels base64-encoded, 4 bytes for every 3 (RFC 4648, section 4). So a book of about
22 MB fits in one mail. Numbers only: no I/O.
"""

from __future__ import annotations

AMAZON_MAIL_LIMIT = 50_000_000  # one mail to a Kindle address, attachments included
SENDGRID_MAIL_LIMIT = 30_000_000  # one /v3/mail/send request, the JSON as a whole
MAIL_LIMIT = min(AMAZON_MAIL_LIMIT, SENDGRID_MAIL_LIMIT)
# The mail's text, HTML, headers and JSON around the attachment: a few KB, with room to spare.
MAIL_OVERHEAD = 64 * 1024
LARGEST_BOOK = (MAIL_LIMIT - MAIL_OVERHEAD) * 3 // 4  # bytes of a copy that still fits


def mailed_size(size: int) -> int:
    """Bytes of a mail carrying a file of `size` bytes: base64 makes 4 of every 3."""
    return 4 * -(-size // 3) + MAIL_OVERHEAD
