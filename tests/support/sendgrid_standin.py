"""A local stand-in for the SendGrid v3 API: POST /v3/mail/send, refusing as SendGrid refuses.

It answers what SendGrid answers, in SendGrid's error shape
`{"errors": [{"message", "field", "help"}]}`:

- 401 "The provided authorization grant is invalid, expired, or revoked" for a
  missing or unknown key (support.sendgrid.com, "4XX API Errors and
  Troubleshooting Suggestions": the key is invalid, deleted or changed).
- 403 "access forbidden" (field null) for a key that exists but lacks the
  Mail Send permission (the body quoted in sendgrid/sendgrid-php#263), and
  403 "The from address does not match a verified Sender Identity..." (field
  "from") when `from` is not a verified sender (sendgrid/sendgrid-ruby#489,
  sendgrid/sendgrid-python#885). Neither is the mail's fault: both are fixed
  in SendGrid's settings, and the same mail then goes through.
- 429 "too many requests" with X-RateLimit-Limit, -Remaining and -Reset (epoch
  seconds) once `rate_limit` mails were sent in the current minute
  (twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors
  and .../rate-limits).
- 400 for what the mail itself gets wrong (no from, to, subject or content;
  text/plain not first; tracking_settings not booleans; a header in `headers`
  that SendGrid reserves, "Header can not be one of the reserved keys." (the
  reserved list of the v3 mail/send reference, quoted in
  github.com/beam-community/bamboo/pull/479; a Reply-To there is a 400,
  github.com/elbuo8/sendgrid-django/issues/65).
- 202 with an X-Message-Id otherwise; accepted bodies are kept in `mails`.

Scripted replies (5xx, slow answers) come first.

`EventWebhook` is SendGrid's other side: the signed Event Webhook it POSTs about
those mails. It holds a test P-256 key (the author would copy its public half,
base64 DER, from Settings > Mail Settings), signs `timestamp + body` with ECDSA
SHA-256 as SendGrid does (twilio.com/docs/sendgrid/for-developers/tracking-events/
getting-started-event-webhook-security-features), and builds events as SendGrid
writes them (twilio.com/docs/sendgrid/for-developers/tracking-events/event):
custom_args as top-level fields, sg_message_id the send's X-Message-Id plus a
suffix, a fresh sg_event_id per event. Batches may repeat an event (SendGrid's
docs warn of duplicates) and come in any order; a repeat may even carry a new
sg_event_id (sendgrid/sendgrid-nodejs#1435).
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import time
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.http_standin import HttpStandIn, Recorded, Reply

UNVERIFIED_SENDER = (
    "The from address does not match a verified Sender Identity. Mail cannot be sent until "
    "this error is resolved. Visit https://sendgrid.com/docs/for-developers/sending-email/"
    "sender-identity/ to see the Sender Identity requirements"
)
BAD_KEY = "The provided authorization grant is invalid, expired, or revoked"
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "x-sg-id",
        "x-sg-eid",
        "received",
        "dkim-signature",
        "Content-Type",
        "Content-Transfer-Encoding",
        "To",
        "From",
        "Subject",
        "Reply-To",
        "CC",
        "BCC",
    )
)


class SendGridStandIn(HttpStandIn):
    def __init__(
        self,
        api_key: str = "SG.test-key",
        *,
        verified_senders: frozenset[str] = frozenset({"books@example.com"}),
        keys_without_mail_send: frozenset[str] = frozenset(),
        rate_limit: int | None = None,
        clock: Any = time.time,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.verified_senders = verified_senders
        self.keys_without_mail_send = keys_without_mail_send
        self.rate_limit = rate_limit
        self.mails: list[dict[str, Any]] = []
        self.message_ids: list[str] = []  # X-Message-Id of each accepted mail, as `mails`
        self._clock = clock
        self._ids = itertools.count(1)
        self._window: tuple[int, int] = (0, 0)  # (minute, mails sent in it)

    def respond(self, request: Recorded) -> Reply:
        if request.method != "POST" or request.path != "/v3/mail/send":
            return _error(404, f"no route {request.method} {request.path}")
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        if key in self.keys_without_mail_send:
            return _error(403, "access forbidden")
        if key != self.api_key:
            return _error(401, BAD_KEY)
        if limited := self._rate_limited():
            return limited
        try:
            mail = request.json()
        except ValueError:
            return _error(400, "Bad Request")
        problem = _problem(mail)
        if problem:
            return _error(400, problem)
        if mail["from"]["email"] not in self.verified_senders:
            return _error(403, UNVERIFIED_SENDER, field="from")
        message_id = f"standin-{next(self._ids)}"
        self.mails.append(mail)
        self.message_ids.append(message_id)
        return Reply(202, headers={"X-Message-Id": message_id})

    def _rate_limited(self) -> Reply | None:
        if self.rate_limit is None:
            return None
        now = self._clock()
        minute = int(now // 60)
        sent = self._window[1] if self._window[0] == minute else 0
        if sent >= self.rate_limit:
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str((minute + 1) * 60),
            }
            return Reply(429, _body("too many requests", None), headers)
        self._window = (minute, sent + 1)
        return None


def _problem(mail: Any) -> str | None:
    """What SendGrid would reject in this body, loosely; None when it looks sendable."""
    if not isinstance(mail, dict):
        return "The request body must be a JSON object"
    if not (mail.get("from") or {}).get("email"):
        return "The from object must be provided for every email send."
    personalizations = mail.get("personalizations") or []
    if not personalizations or not all(p.get("to") for p in personalizations):
        return "The to array is required for all personalization objects"
    if not mail.get("subject"):
        return "The subject is required."
    content = mail.get("content") or []
    if not content or any(not c.get("value") for c in content):
        return "The content value must be a string at least one character in length."
    if content[0].get("type") != "text/plain":
        return "If present, text/plain content must be first."
    headers = [mail.get("headers") or {}, *(p.get("headers") or {} for p in personalizations)]
    if any(name.lower() in RESERVED_HEADERS for found in headers for name in found):
        return "Header can not be one of the reserved keys."
    if not all(isinstance(v, str) for found in headers for v in found.values()):
        return "The headers values must be strings."
    for setting, options in (mail.get("tracking_settings") or {}).items():
        if not isinstance(options, dict) or not all(isinstance(v, bool) for v in options.values()):
            return f"The tracking_settings.{setting} values must be booleans."
    return None


def _body(message: str, field: str | None) -> dict[str, Any]:
    return {"errors": [{"message": message, "field": field, "help": None}]}


def _error(status: int, message: str, *, field: str | None = None) -> Reply:
    return Reply(status, _body(message, field))


SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


class EventWebhook:
    """SendGrid's signed Event Webhook, about the mails a SendGridStandIn accepted."""

    def __init__(self, clock: Any = time.time) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self._clock = clock

    @property
    def public_key(self) -> str:
        """The verification key as SendGrid shows it: base64 DER, no PEM armour."""
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, body: bytes, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(self._clock()) if timestamp is None else timestamp)
        signature = self.key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            SIGNATURE: base64.b64encode(signature).decode(),
            TIMESTAMP: stamp,
        }

    @staticmethod
    def event(
        name: str,
        *,
        order_id: str,
        message_id: str,
        kind: str = "delivery",
        timestamp: int,
        email: str = "buyer@example.com",
        **extra: Any,
    ) -> dict[str, Any]:
        """One event as SendGrid writes it; bounces and drops carry a reason."""
        event: dict[str, Any] = {
            "email": email,
            "timestamp": timestamp,
            "smtp-id": f"<{message_id}@ismtpd0001p1lon1.sendgrid.net>",
            "event": name,
            "category": [kind],
            "sg_event_id": base64.urlsafe_b64encode(secrets.token_bytes(16)).decode(),
            "sg_message_id": f"{message_id}.filterdrecv-5645d9c87f-2kx7v-1-66F6A2B1-1.0",
            "order_id": order_id,
            "mail_kind": kind,
        }
        if name == "bounce":
            event |= {"reason": "550 5.1.1 The email account does not exist", "type": "bounce"}
        if name == "dropped":
            event["reason"] = "Bounced Address"
        if name == "deferred":
            event |= {"response": "451 4.7.1 Greylisted, try again", "attempt": "1"}
        return event | extra

    def events_for(
        self, standin: SendGridStandIn, index: int, *names: str, start: int | None = None
    ) -> list[dict[str, Any]]:
        """Events about the `index`th mail the stand-in accepted, a second apart, in order."""
        mail = standin.mails[index]
        args = mail.get("custom_args") or mail["personalizations"][0].get("custom_args", {})
        first = int(self._clock()) if start is None else start
        return [
            self.event(
                name,
                order_id=args["order_id"],
                message_id=standin.message_ids[index],
                kind=args.get("mail_kind", "delivery"),
                timestamp=first + n,
                email=mail["personalizations"][0]["to"][0]["email"],
            )
            for n, name in enumerate(names)
        ]

    def post(
        self,
        url: str,
        events: list[dict[str, Any]],
        *,
        timestamp: int | None = None,
        signed: bool = True,
        tamper: bool = False,
    ) -> requests.Response:
        """POST a batch to url (…/webhooks/sendgrid), signed as SendGrid signs it."""
        body = json.dumps(events).encode()
        headers = self.headers(body, timestamp) if signed else {"Content-Type": "application/json"}
        if tamper:  # signed, then changed on the way: a bounce turned into a delivery
            body = body.replace(b'"bounce"', b'"delivered"')
        return requests.post(url, data=body, headers=headers, timeout=10)
