"""The mail port: send one rendered mail to one buyer.

Three adapters, chosen by MAIL_BACKEND: SendGrid v3 (sendgrid.py), any SMTP
relay (smtp.py) and an outbox folder of .eml files (embedded). A transient
failure raises MailError(transient=True) so the push handler answers 5xx and
Pub/Sub redelivers; a permanent one (a rejected address) is recorded and
dead-lettered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class MailError(Exception):
    """The mail was not sent (`maybe_sent`: the provider may have taken it; we cannot tell)."""

    def __init__(self, reason: str, *, transient: bool, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class Attachment:
    """A file sent with the mail (a Send to Kindle copy): its name, MIME type and bytes."""

    filename: str
    content_type: str  # "application/epub+zip"
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Mail:
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    order_id: str
    category: str = "delivery"
    custom_args: dict[str, str] = field(default_factory=dict)
    # The claim this mail fulfils ("" for none): a provider that can tell what it sent
    # answers Mailer.sent(key), so a delivery taking over a stale claim does not mail twice.
    key: str = ""
    attachments: tuple[Attachment, ...] = ()
    # The language the mail is written in (common/i18n: "fr"), sent as Content-Language
    # (RFC 3282) so a reader's client can offer to translate or read it aloud; "" for none.
    language: str = ""
    # Who it is from when not the shop (MAIL_FROM): an imprint's name and address, on a
    # domain in MAIL_DOMAINS (common/catalog checks it). "": the mailer's own sender.
    from_name: str = ""
    from_address: str = ""

    def sender(self, name: str, address: str) -> tuple[str, str]:
        """(name, address) it goes out from: its own sender, else the mailer's (given)."""
        return (self.from_name, self.from_address) if self.from_address else (name, address)


class Mailer(Protocol):
    def send(self, mail: Mail) -> str:
        """Send the mail and return the provider's message id."""
        ...

    def sent(self, key: str) -> str | None:
        """The message id of a mail already sent under this key; None if none or unknowable."""
        ...
