"""The mail port: send one rendered mail to one buyer.

Three adapters, chosen by MAIL_BACKEND: SendGrid v3 (sendgrid.py), any SMTP
relay (smtp.py) and an outbox folder of .eml files (embedded). A transient
failure raises MailError(transient=True) so the push handler answers 5xx and
Pub/Sub redelivers; a permanent one (a rejected address) is recorded and
dead-lettered.
"""

from worker.mail._outbox import OutboxMailer
from worker.mail._port import Attachment, Mail, Mailer, MailError
from worker.mail._render import Link, Shop, render_delivery, render_kindle, render_new_edition

__all__ = [
    "Attachment",
    "Link",
    "Mail",
    "MailError",
    "Mailer",
    "OutboxMailer",
    "Shop",
    "render_delivery",
    "render_kindle",
    "render_new_edition",
]
