"""SMTP mailer: the mail port over any provider's SMTP relay (SES, Postmark, Mailgun, Brevo…).

The standard library's smtplib, one connection per mail: STARTTLS on the
submission port (SMTP_SECURITY=starttls, 587) or implicit TLS (tls, 465), both
with certificate and host name verified (ssl.create_default_context); `none`
only to a loopback relay (common/settings.py refuses it elsewhere). MAIL FROM,
RCPT TO and DATA are sent one by one, so each reply is read where it came:

- 4xx (RFC 5321 4.2.1, "transient negative completion": 421, 450, 451, 452) is
  temporary: MailError(transient), the worker answers 503 and Pub/Sub redelivers.
- 5xx (550 no such mailbox, 552, 554) is permanent: MailError, the delivery
  releases its claim and dead-letters the order, which the author sees.
- A connection that fails before DATA sent nothing: transient. One that drops,
  or stalls past the deadline, after DATA began may have been accepted:
  MailError(maybe_sent), the claim stands until it goes stale, exactly as for
  SendGrid's unanswered POST (worker/use_cases/_delivery.py).
- A relay that refuses our credentials (535), offers no STARTTLS or shows a
  certificate that does not verify is misconfigured, not the mail: logged once
  at ERROR naming the variable, and transient, so orders wait for the fix.

A slow or stalling server cannot hold the worker thread: each socket operation
times out, and a watchdog shuts the socket down when SMTP_TIMEOUT (whole send)
is up, well inside the push deadline. The password never appears in an error.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket
import ssl
import threading
import time
from email import policy
from email.message import EmailMessage

from worker.mail._message import UNFOLDED, compose
from worker.mail._port import Mail, MailError

_log = logging.getLogger(__name__)
_ASCII_HEADERS = policy.SMTP.clone(max_line_length=None)  # RFC 2047 words, CRLF


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str,
        mail_from: str,
        from_name: str = "",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._security = security
        self._from = mail_from
        self._from_name = from_name
        self._username = username
        self._password = password
        self._timeout = timeout
        self._context = context or ssl.create_default_context()
        self._config_logged = False

    def sent(self, key: str) -> str | None:
        """Unknowable: SMTP has no way to ask a relay what it took earlier."""
        return None

    def send(self, mail: Mail) -> str:
        name, address = mail.sender(self._from_name, self._from)
        message = compose(mail, address, name, domain=address.rpartition("@")[2])
        deadline = time.monotonic() + self._timeout
        smtp = self._connect()  # each socket operation times out within SMTP_TIMEOUT
        watchdog = _Watchdog(smtp, deadline - time.monotonic())  # and so does the whole
        try:
            self._open(smtp, watchdog)
            self._transfer(smtp, message, mail, watchdog)
        finally:
            watchdog.cancel()
            with contextlib.suppress(OSError):
                smtp.close()
        return str(message["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        """A connection that has read the server's greeting (under TLS for `tls`)."""
        try:
            if self._security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=self._context
                )
            else:
                smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        except ssl.SSLCertVerificationError as exc:
            raise self._configuration(
                f"the certificate of {self._host} does not verify: {exc.verify_message}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = self._redact(f"SMTP server unreachable: {exc!r}")
            raise MailError(reason, transient=True) from None
        return smtp

    def _open(self, smtp: smtplib.SMTP, watchdog: _Watchdog) -> None:
        """EHLO, STARTTLS as configured, and the login."""
        try:
            smtp.ehlo()
            if self._security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise self._configuration(
                        f"{self._host} offers no STARTTLS (SMTP_SECURITY=starttls)"
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if self._username:
                if not smtp.has_extn("auth"):
                    raise self._configuration(f"{self._host} offers no AUTH (SMTP_USERNAME)")
                smtp.login(self._username, self._password)
        except smtplib.SMTPAuthenticationError as exc:
            raise self._configuration(
                f"{self._host} refused SMTP_USERNAME/SMTP_PASSWORD ({exc.smtp_code})"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise self._configuration(
                f"the certificate of {self._host} does not verify: {exc.verify_message}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            refused = _refused("before the mail", exc.smtp_code, exc.smtp_error)
            if refused.transient:
                raise refused from None
            raise self._configuration(str(refused)) from None  # the session's fault, not the mail's
        except (OSError, smtplib.SMTPException) as exc:
            reason = "the deadline passed" if watchdog.fired else repr(exc)
            raise MailError(
                self._redact(f"SMTP session failed: {reason}"), transient=True
            ) from None

    def _transfer(
        self, smtp: smtplib.SMTP, message: EmailMessage, mail: Mail, watchdog: _Watchdog
    ) -> None:
        """MAIL FROM, RCPT TO, DATA: each reply judged where it came."""
        sender = mail.sender(self._from_name, self._from)[1]  # the envelope's, as the From
        international = not (sender.isascii() and mail.to.isascii())
        options: list[str] = []
        if international:
            if not smtp.has_extn("smtputf8"):
                raise MailError(
                    f"{self._host} cannot take an internationalised address (no SMTPUTF8)",
                    transient=False,
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        data = message.as_bytes(policy=UNFOLDED if international else _ASCII_HEADERS)
        try:
            for step, (code, reply) in (
                ("MAIL FROM", smtp.mail(sender, options)),
                ("RCPT TO", smtp.rcpt(mail.to)),
            ):
                if code not in (250, 251):
                    raise _refused(step, code, reply)
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            reason = "the deadline passed" if watchdog.fired else repr(exc)
            raise MailError(f"SMTP connection lost before DATA: {reason}", transient=True) from None
        try:
            code, reply = smtp.data(data)  # raises for a refused DATA, returns the final reply
        except smtplib.SMTPDataError as exc:
            raise _refused("DATA", exc.smtp_code, exc.smtp_error) from None
        except (OSError, smtplib.SMTPException) as exc:
            # The message may be in the server's queue already: not retried, the claim stands.
            reason = f"no answer within {self._timeout:g} s" if watchdog.fired else repr(exc)
            raise MailError(
                f"SMTP connection lost after DATA: {reason}", transient=True, maybe_sent=True
            ) from None
        if code != 250:
            raise _refused("DATA", code, reply)
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()  # the mail was accepted; a lost QUIT changes nothing

    def _configuration(self, cause: str) -> MailError:
        """A relay we cannot use as configured: logged at ERROR once per process, transient."""
        reason = self._redact(f"SMTP configuration: {cause}")
        if not self._config_logged:
            self._config_logged = True
            _log.error("the SMTP relay refused our configuration, mail waits: %s", reason)
        return MailError(reason, transient=True)

    def _redact(self, text: str) -> str:
        return text.replace(self._password, "***") if self._password else text


def _refused(step: str, code: int, reply: bytes | str) -> MailError:
    """A negative reply: 4xx temporary, anything else permanent."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    reason = f"SMTP {step} answered {code}: {' '.join(text.split())[:300]}"
    return MailError(reason, transient=400 <= code < 500)


class _Watchdog:
    """Shuts the connection's socket down at the deadline, so a blocked read returns at once."""

    def __init__(self, smtp: smtplib.SMTP, seconds: float) -> None:
        self.fired = False
        self._smtp = smtp
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self._smtp.sock
        if sock is not None:
            # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop
            # the TLS object under the reading thread.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()
