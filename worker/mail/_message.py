"""One mail as an RFC 5322 message: what the outbox writes and what SMTP sends.

A plain-text and an HTML alternative (and any attachments), from the shop by name (SHOP_NAME, as
SendGrid's From). Headers are UTF-8 (RFC 6532), so an internationalised address
is kept as the buyer typed it. X-Exlibris-Order and X-Exlibris-Mail-Kind carry
what SendGrid's custom_args carry, so a mail names its order and its kind whichever
backend sent it. Content-Language (RFC 3282) names the language the mail is written in.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from worker.mail._port import Mail

# Headers unfolded: the library's folding of a long display name with a comma or a quote
# can split it into several addresses on the way back in (one buyer mailed as two).
UNFOLDED = policy.SMTPUTF8.clone(max_line_length=None)
_NAME_BYTES = 400  # with the address, the To line stays under RFC 5322's 998 octets


def compose(mail: Mail, sender: str, sender_name: str, *, domain: str) -> EmailMessage:
    """The message for `mail`, with a fresh Message-ID under `domain`."""
    message = EmailMessage(policy=policy.SMTPUTF8)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Date"] = formatdate(localtime=False)
    message["From"] = _address(sender_name, sender)
    message["To"] = _address(mail.to_name, mail.to)
    message["Subject"] = mail.subject
    message["X-Exlibris-Order"] = mail.order_id
    message["X-Exlibris-Category"] = mail.category
    message["X-Exlibris-Mail-Kind"] = mail.category
    # Quoted-printable keeps the body 7-bit whatever the script, so any reader decodes it.
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments:  # base64, as SendGrid delivers them
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype, subtype, filename=attachment.filename)
    if mail.language:
        # Set last: turning the message multipart moves every Content-* header set before
        # into its first part, where a reader's client would not look for the mail's language.
        message["Content-Language"] = mail.language
    return message


def _address(name: str, email: str) -> Address:
    # username/domain rather than addr_spec: the parser refuses a non-ASCII local part,
    # which RFC 6532 allows and email-validator accepts.
    local, _, domain = email.rpartition("@")
    while len(name.encode()) > _NAME_BYTES:  # the name stays whole in the body and the stamp
        name = name[: len(name) * 9 // 10].rstrip() + "…"
    return Address(name, username=local, domain=domain)
