"""SendGrid v3 mailer: the cloud adapter of the mail port.

Builds the /v3/mail/send JSON with the sendgrid helpers (text/plain before
text/html, custom_args with the order id and the mail kind, one category, click and open
tracking off, attachments base64-encoded, the mail's Content-Language in `headers`) and
posts it through the sendgrid client at a configurable host
(SENDGRID_API_URL, so tests point it at a local stand-in) with a per-request
timeout. Tracking is off in every message because account-level click
tracking would rewrite our durable links into SendGrid redirects, which mail
scanners follow too, and open tracking adds a pixel to a receipt.

202 means accepted: the X-Message-Id header is the message id. 429 waits until
X-RateLimit-Reset (epoch seconds, capped), 5xx and connection errors back off
exponentially; when the attempts run out the mail fails as transient so
Pub/Sub redelivers. 401 (a bad key) and 403 (a key without Mail Send, or a
MAIL_FROM that is not a verified sender) are configuration errors, fixed in
SendGrid's settings and not in the mail: logged once at ERROR naming the
likely cause, and transient, so the order waits for the fix instead of being
dead-lettered. Any other 4xx is permanent and carries SendGrid's error text;
the API key never appears in an error or a log line.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    Category,
    ClickTracking,
    CustomArg,
    Disposition,
    FileContent,
    FileName,
    FileType,
    From,
    Header,
    OpenTracking,
    To,
    TrackingSettings,
)
from sendgrid.helpers.mail import Mail as SendGridMail
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from worker.mail._port import Mail, MailError

_log = logging.getLogger(__name__)


class SendGridMailer:
    def __init__(
        self,
        api_key: str,
        *,
        host: str,
        mail_from: str,
        from_name: str | None = None,
        timeout: float = 10,
        attempts: int = 4,
        backoff: float = 1.0,
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_key = api_key
        self._client = SendGridAPIClient(api_key, host=host.rstrip("/"))
        self._from_name = from_name or ""
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._max_wait = max_wait
        self._sleep = sleep
        self._mail_from = mail_from
        self._config_logged = False
        # python_http_client logs request headers (the Bearer key) at DEBUG.
        logging.getLogger("python_http_client.client").setLevel(logging.INFO)

    def send(self, mail: Mail) -> str:
        body = self.request_body(mail)
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            retry=retry_if_exception(_transient),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            response = retrying(self._post, body)
        except http_errors.HTTPError as exc:
            if exc.status_code in (401, 403):
                reason = self._configuration_error(exc, mail.sender("", self._mail_from)[1])
                raise MailError(reason, transient=True) from None
            raise MailError(self._reason(exc), transient=_transient(exc)) from None
        except URLError as exc:
            raise MailError(self._redact(f"SendGrid unreachable: {exc}"), transient=True) from None
        except OSError as exc:
            # The request went out but no answer came back (urllib wraps only failures
            # before sending in URLError): SendGrid may have accepted the mail, so
            # sending it again could mail the buyer twice. Not retried here.
            reason = self._redact(f"no answer from SendGrid: {exc!r}")
            raise MailError(reason, transient=True, maybe_sent=True) from None
        return str(response.headers.get("X-Message-Id", ""))

    def sent(self, key: str) -> str | None:
        """Unknowable here: only the Email Activity API lists what was sent, and it needs a
        paid add-on and allows 6 requests a minute
        (twilio.com/docs/sendgrid/api-reference/email-activity)."""
        return None

    def request_body(self, mail: Mail) -> dict[str, Any]:
        """The /v3/mail/send JSON for one mail."""
        name, address = mail.sender(self._from_name, self._mail_from)
        message = SendGridMail(
            from_email=From(address, name or None),
            to_emails=To(mail.to, mail.to_name or None),
            subject=mail.subject,
            plain_text_content=mail.text,
            html_content=mail.html,
        )
        # The Event Webhook returns custom_args in every event: they name the order and the
        # mail whose status it reports (common/mail_events).
        args = {**mail.custom_args, "order_id": mail.order_id, "mail_kind": mail.category}
        for key, value in args.items():
            message.add_custom_arg(CustomArg(key, str(value)))
        message.add_category(Category(mail.category))
        if mail.language:
            # Not among the headers SendGrid reserves (x-sg-id, x-sg-eid, received,
            # dkim-signature, Content-Type, Content-Transfer-Encoding, To, From, Subject,
            # Reply-To, CC, BCC: its v3 mail/send reference, quoted in
            # github.com/beam-community/bamboo/pull/479), so it reaches the buyer as set.
            message.add_header(Header("Content-Language", mail.language))
        for attachment in mail.attachments:
            # base64 in the JSON; SendGrid's 30 MB counts the payload as a whole (common/kindle.py)
            content = base64.b64encode(attachment.data).decode("ascii")
            message.add_attachment(
                Attachment(
                    FileContent(content),
                    FileName(attachment.filename),
                    FileType(attachment.content_type),
                    Disposition("attachment"),
                )
            )
        tracking = TrackingSettings()
        tracking.click_tracking = ClickTracking(enable=False, enable_text=False)
        tracking.open_tracking = OpenTracking(enable=False)
        message.tracking_settings = tracking
        return message.get()

    def _post(self, body: dict[str, Any]) -> Any:
        return self._client.client.mail.send.post(request_body=body, timeout=self._timeout)

    def _wait(self, state: RetryCallState) -> float:
        """Until X-RateLimit-Reset after a 429, else exponential backoff; capped."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, http_errors.HTTPError) and exc.status_code == 429:
            reset = exc.headers.get("X-RateLimit-Reset") if exc.headers else None
            if reset and reset.strip().isdigit():
                return min(max(0.0, int(reset) - time.time()), self._max_wait)
        return min(self._backoff * 2 ** (state.attempt_number - 1), self._max_wait)

    def _configuration_error(self, exc: http_errors.HTTPError, sender: str) -> str:
        """The reason with its likely cause; logged at ERROR once per process, not per mail."""
        text = _error_text(exc.body)
        if exc.status_code == 401:
            cause = "SENDGRID_API_KEY is wrong, revoked or expired: create a new key"
        elif "Sender Identity" in text:
            cause = (
                f"the sender {sender} (MAIL_FROM, or an imprint's mail_from) is not verified: "
                "verify it or its domain under Settings > Sender Authentication"
            )
        else:
            cause = "the API key lacks the Mail Send permission: give it Mail Send access"
        reason = self._redact(f"SendGrid answered {exc.status_code} ({cause}): {text}")
        if not self._config_logged:
            self._config_logged = True
            _log.error(
                "SendGrid refused our configuration, mail waits until it is fixed: %s", reason
            )
        return reason

    def _reason(self, exc: http_errors.HTTPError) -> str:
        return self._redact(f"SendGrid answered {exc.status_code}: {_error_text(exc.body)}")

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    status = getattr(exc, "status_code", type(exc).__name__)
    wait = state.next_action.sleep if state.next_action else 0.0
    _log.warning("SendGrid send failed (%s); retrying in %.1fs", status, wait)


def _transient(exc: BaseException) -> bool:
    """Worth another POST: SendGrid said no for now, or the request never left."""
    if isinstance(exc, http_errors.HTTPError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, URLError)


def _error_text(body: bytes | str | None) -> str:
    """SendGrid's `errors[].message` joined, or the raw body, shortened."""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        errors = json.loads(raw).get("errors") or []
        text = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        text = ""
    return (text or raw.strip() or "no details")[:500]
