"""Embedded mail adapter: an outbox folder with one RFC 5322 .eml file per mail.

Each file holds a plain-text and an HTML alternative exactly as SendGrid
would deliver them, so an author can open the demo's mail in any mail client.
Files are written atomically; the name starts with a timestamp so `ls` lists
mails in the order they were sent.
"""

from __future__ import annotations

import os
import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from worker.mail import Mail


class OutboxMailer:
    def __init__(self, folder: Path, *, sender: str) -> None:
        self.folder = folder
        self.sender = sender
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, mail: Mail) -> str:
        message = EmailMessage()
        message_id = make_msgid(domain="exlibris.local")
        message["Message-ID"] = message_id
        message["Date"] = formatdate(localtime=False)
        message["From"] = self.sender
        message["To"] = formataddr((mail.to_name, mail.to))
        message["Subject"] = mail.subject
        message["X-Exlibris-Order"] = mail.order_id
        message["X-Exlibris-Category"] = mail.category
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        safe_order = re.sub(r"[^A-Za-z0-9_.-]", "_", mail.order_id)
        path = self.folder / f"{time.time_ns()}-{safe_order}.eml"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(message.as_bytes())
        os.replace(tmp, path)
        return message_id


def read_mail(path: Path) -> EmailMessage:
    """Parse an outbox .eml back into a message (the demo and the tests read mails so)."""
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


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
