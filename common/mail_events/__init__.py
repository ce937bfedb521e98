"""Mail providers' reports about our mails: SendGrid's signed Event Webhook, verified and read.

The service's `POST /webhooks/sendgrid` verifies a batch (`SendGridEvents.verify`), reads
it into the contract's MailEvent values (`read`) and publishes them; the worker writes each
mail's status into its order (worker/use_cases/_mail_events.py).
"""

from common.mail_events._sendgrid import (
    EVENT_STATUS,
    FUTURE_SKEW,
    MAX_AGE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadEvents,
    SendGridEvents,
    SignatureRefused,
    Unsigned,
)

__all__ = [
    "EVENT_STATUS",
    "FUTURE_SKEW",
    "MAX_AGE",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "BadEvents",
    "SendGridEvents",
    "SignatureRefused",
    "Unsigned",
]
