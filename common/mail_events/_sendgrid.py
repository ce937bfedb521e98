"""SendGrid's Event Webhook: verify a signed batch, then read the events about our mails.

The scheme (twilio.com/docs/sendgrid/for-developers/tracking-events/
getting-started-event-webhook-security-features, and the official SDK's
sendgrid/helpers/eventwebhook/__init__.py, `verify_signature`): SendGrid signs
the bytes `timestamp + raw body` with ECDSA P-256 and SHA-256. The signature is
base64 DER in X-Twilio-Email-Event-Webhook-Signature, the unix time in
X-Twilio-Email-Event-Webhook-Timestamp, and the public key the author copies from
Settings > Mail Settings > Event Webhook is a base64 DER SubjectPublicKeyInfo
(no PEM armour). The body is checked exactly as it arrived, before it is read
as JSON.

The time window. SendGrid retries a POST that did not get a 2xx "at increasing
intervals for up to 24 hours after the event occurs"
(docs.sendgrid.com/for-developers/tracking-events/troubleshooting), and does not
say whether a retry is signed afresh. A 300 s window (Stripe's) could refuse every
retry after an outage, and lose the bounce it carries. A replay does no harm here:
each mail keeps the newest status by the event's own time, so an old batch
changes nothing. So a timestamp may be up to MAX_AGE old (24 h, plus an hour for
SendGrid's queue), and at most FUTURE_SKEW ahead of our clock. A batch captured
a day ago is refused.

Reading: the body is a JSON array of events. Custom args come back as top-level
fields (order_id, mail_kind: worker/mail/sendgrid.py sets them), so an event
without them is another sender's mail on the same account, and is passed over.
Each event maps to a MailStatus (EVENT_STATUS); opens, clicks and unsubscribes say
nothing about delivery and are passed over. One malformed event is skipped and
counted, not a reason to refuse the batch: SendGrid would retry the whole batch
for a day. SendGrid's sg_event_id is kept, but its repeats may carry a new one
(sendgrid/sendgrid-nodejs#1435), so the worker also orders events by time.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from common.messages import ContractError, MailEvent
from common.orders import MailStatus

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_AGE = 25 * 3600  # SendGrid's 24 h of retries, and an hour for its queue
FUTURE_SKEW = 300  # clocks disagree by seconds; five minutes is Stripe's whole window
# A DER ECDSA P-256 signature is at most 72 bytes (96 in base64); more is not SendGrid's.
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{20,200}={0,2}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

# SendGrid's event names (twilio.com/docs/sendgrid/for-developers/tracking-events/event):
# delivery events map to a status; engagement events (open, click, unsubscribe,
# group_unsubscribe, group_resubscribe) are not ours to record.
EVENT_STATUS = {
    "processed": MailStatus.ACCEPTED,
    "deferred": MailStatus.DEFERRED,
    "delivered": MailStatus.DELIVERED,
    "bounce": MailStatus.BOUNCED,
    "dropped": MailStatus.DROPPED,
    "spamreport": MailStatus.SPAM,
}


class SignatureRefused(Exception):
    """The batch is not provably SendGrid's: altered, stale or signed by another key (403)."""

    status = 403

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unsigned(SignatureRefused):
    """The signature or timestamp header is missing (401)."""

    status = 401


class BadEvents(ValueError):
    """Signed, but not a JSON array of events (400)."""


@dataclass(frozen=True)
class Batch:
    """The events about our mails, and how many of the batch's events were passed over."""

    events: tuple[MailEvent, ...]
    skipped: int
    malformed: int


class SendGridEvents:
    """The verifier and reader of one account's Event Webhook, built from its public key."""

    def __init__(self, public_key: str) -> None:
        """Load the key as SendGrid shows it; ValueError (in words) when it is not one."""
        try:
            der = base64.b64decode("".join(public_key.split()), validate=True)
            key = load_der_public_key(der)
        except (binascii.Error, ValueError):
            raise ValueError(
                "not a base64 DER public key (copy the Verification Key from SendGrid's "
                "Settings > Mail Settings > Event Webhook)"
            ) from None
        if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
            raise ValueError("not an ECDSA P-256 key, which SendGrid signs with")
        self._key = key

    def verify(self, body: bytes, headers: Mapping[str, str], *, now: float) -> None:
        """Raise Unsigned or SignatureRefused unless SendGrid signed this body lately."""
        lowered = {k.lower(): v for k, v in headers.items()}
        signature = lowered.get(SIGNATURE_HEADER.lower(), "").strip()
        timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
        if not signature or not timestamp:
            raise Unsigned(f"{SIGNATURE_HEADER} and {TIMESTAMP_HEADER} are required")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            raise SignatureRefused("malformed signature or timestamp header")
        age = now - int(timestamp)
        if age > MAX_AGE:
            raise SignatureRefused("timestamp outside tolerance: too old")
        if age < -FUTURE_SKEW:
            raise SignatureRefused("timestamp outside tolerance: too new")
        try:
            self._key.verify(
                base64.b64decode(signature), timestamp.encode() + body, ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature:
            raise SignatureRefused("signature does not match") from None

    @staticmethod
    def read(body: bytes) -> Batch:
        """The verified batch's events about our mails, in the order SendGrid sent them."""
        try:
            raw = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise BadEvents("the body is not JSON") from None
        if not isinstance(raw, list):
            raise BadEvents("expected a JSON array of events")
        events: list[MailEvent] = []
        skipped = malformed = 0
        for item in raw:
            try:
                event = _event(item)
            except (ContractError, TypeError, ValueError):
                malformed += 1
                continue
            if event is None:
                skipped += 1
            else:
                events.append(event)
        return Batch(tuple(events), skipped, malformed)


def _event(item: Any) -> MailEvent | None:
    """One event about one of our mails, None for another sender's or an engagement event."""
    if not isinstance(item, dict):
        raise ValueError("an event is not an object")
    status = EVENT_STATUS.get(item.get("event"))  # type: ignore[arg-type]
    if status is None or "order_id" not in item:
        return None
    timestamp = item.get("timestamp")
    if type(timestamp) is not int:
        raise ValueError("timestamp is not an integer")
    reason = item.get("reason") or item.get("response") or ""
    return MailEvent(
        order_id=item["order_id"],
        mail_kind=item.get("mail_kind") or "delivery",
        message_id=item.get("sg_message_id") or "",
        event_id=item.get("sg_event_id") or "",
        status=status,
        timestamp=timestamp,
        reason=reason if isinstance(reason, str) else "",
    )
