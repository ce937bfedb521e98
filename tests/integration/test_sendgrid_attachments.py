"""A Send to Kindle mail through both mail adapters: the EPUB attached, byte for byte.

SendGrid takes attachments base64 in the JSON (`attachments[].content`, `type`,
`filename`, `disposition`: twilio.com/docs/sendgrid/api-reference/mail-send); the outbox
writes them as a base64 MIME part after the text and HTML alternatives.
"""

from __future__ import annotations

import base64
from pathlib import Path

from tests.integration.test_sendgrid_mailer import mailer_for
from tests.support.sendgrid_standin import SendGridStandIn
from worker.mail import Attachment, Mail, OutboxMailer
from worker.mail._outbox import read_mail

BOOK = b"PK\x03\x04application/epub+zip" + bytes(range(256)) * 40
MAIL = Mail(
    to="ada_1815@kindle.com",
    to_name="",
    subject="Practical Python Projects",
    text="Your copy is attached.",
    html="<p>Your copy is attached.</p>",
    order_id="552312-7",
    category="kindle",
    attachments=(Attachment("practical-python.epub", "application/epub+zip", BOOK),),
)


def test_sendgrid_receives_the_epub_base64_with_its_type(sendgrid_standin: SendGridStandIn) -> None:
    mailer, _ = mailer_for(sendgrid_standin)
    mailer.send(MAIL)
    [body] = sendgrid_standin.mails
    [attachment] = body["attachments"]
    assert attachment["type"] == "application/epub+zip"
    assert attachment["filename"] == "practical-python.epub"
    assert attachment["disposition"] == "attachment"
    assert base64.b64decode(attachment["content"]) == BOOK
    assert body["personalizations"] == [{"to": [{"email": "ada_1815@kindle.com"}]}]


def test_the_outbox_writes_the_epub_as_a_mime_attachment(tmp_path: Path) -> None:
    OutboxMailer(tmp_path, sender="books@example.com").send(MAIL)
    [path] = tmp_path.glob("*.eml")
    message = read_mail(path)
    assert message.get_content_type() == "multipart/mixed"
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/epub+zip"
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_filename() == "practical-python.epub" and part.get_content() == BOOK
    assert message.get_body(("plain",)).get_content().strip() == "Your copy is attached."
