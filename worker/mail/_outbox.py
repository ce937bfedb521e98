"""Embedded mail adapter: an outbox folder with one RFC 5322 .eml file per mail.

Each file holds a plain-text and an HTML alternative exactly as SendGrid
would deliver them, from the shop by name (SHOP_NAME, as SendGrid's From), so
an author can open the demo's mail in any mail client. Headers are written as
UTF-8 (RFC 6532), so an internationalised address is kept as the buyer typed
it. Attachments (a Send to Kindle copy) follow the two parts, base64-encoded in a
multipart/mixed. Files are written atomically; the name starts with a timestamp so `ls`
lists mails in the order they were sent. A keyed mail carries a digest of its
key in a header, so `sent(key)` finds a mail that went out before its sender
was killed: the mail and that proof land in one atomic rename.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import Parser
from pathlib import Path

from worker.mail._message import UNFOLDED, compose
from worker.mail._port import Mail

_KEY_HEADER = "X-Exlibris-Mail-Key"


class OutboxMailer:
    def __init__(self, folder: Path, *, sender: str, sender_name: str = "") -> None:
        self.folder = folder
        self.sender = sender
        self.sender_name = sender_name
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, mail: Mail) -> str:
        name, address = mail.sender(self.sender_name, self.sender)
        message = compose(mail, address, name, domain="exlibris.local")
        safe_order = re.sub(r"[^A-Za-z0-9_.-]", "_", mail.order_id)
        if mail.key:
            message[_KEY_HEADER] = _digest(mail.key)
        path = self.folder / f"{time.time_ns()}-{safe_order}.eml"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(message.as_bytes(policy=UNFOLDED))
        os.replace(tmp, path)
        return str(message["Message-ID"])

    def sent(self, key: str) -> str | None:
        # A scan of the folder: asked only when a claim went stale, of a demo's outbox.
        if not key:
            return None
        wanted = f"{_KEY_HEADER}: {_digest(key)}".encode()
        for path in self.folder.glob("*.eml"):
            head = re.split(rb"\r?\n\r?\n", path.read_bytes(), maxsplit=1)[0]
            if wanted in head.splitlines():
                return str(read_mail(path)["Message-ID"])
        return None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def read_mail(path: Path) -> EmailMessage:
    """Parse an outbox .eml back into a message (the demo and the tests read mails so)."""
    # Decoded first: BytesParser would turn UTF-8 headers into surrogate escapes.
    message = Parser(policy=policy.default).parsestr(path.read_bytes().decode("utf-8"))
    assert isinstance(message, EmailMessage)
    return message


def plain_text(message: EmailMessage) -> str:
    """The mail's text/plain body."""
    body = message.get_body(preferencelist=("plain",))
    if body is None:
        raise ValueError("the mail has no text/plain part")
    text: str = body.get_content()
    return text


def download_links(message: EmailMessage) -> list[str]:
    """The durable download links (PUBLIC_URL/d/<token>) in a mail, in order."""
    return re.findall(r"https?://\S+/d/[A-Za-z0-9_.=-]+", plain_text(message))
