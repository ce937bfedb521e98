"""A real SMTP server for the SMTP mailer's tests: aiosmtpd, on loopback, with scripted replies.

Every connection gets the full aiosmtpd state machine (EHLO, STARTTLS, AUTH, MAIL,
RCPT, DATA), so smtplib meets a real server. A test CA, minted here with the
cryptography package, signs the server's certificate for 127.0.0.1 and localhost;
clients trust that CA only (`client_context`), so certificate and host name checks
stay on. By default the server demands STARTTLS before AUTH and mail
(aiosmtpd's require_starttls), as a provider's submission port does.

Replies are scripted per recipient, one per DATA, else `ok`:

- `ok`: 250, and the message is kept in `received`.
- `451`: "451 4.3.0 try again later" (RFC 5321 4.2.1: transient).
- `550`: "550 5.1.1 mailbox unavailable" at RCPT TO (permanent, as a server that
  knows no such user answers before DATA).
- `554`: "554 5.7.1 message rejected" after DATA (permanent, a content refusal).
- `drop`: the message is received whole and kept, then the connection drops
  before the reply: the server has the mail, the client cannot know.
- `stall`: no reply until `stall_seconds` pass (a slow or hung server).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import logging
import socket
import ssl
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USERNAME = "exlibris-relay"
PASSWORD = "relay-password-not-a-secret"


@dataclass
class CertificateAuthority:
    """A throw-away CA and a server certificate it signed, written as PEM files."""

    folder: Path
    ca_pem: Path = field(init=False)
    cert_pem: Path = field(init=False)
    key_pem: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exlibris test CA")])
        ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
        cert = _certificate(name, ca_name, key.public_key(), ca_key, ca=False)
        self.ca_pem = self.folder / "ca.pem"
        self.cert_pem = self.folder / "server.pem"
        self.key_pem = self.folder / "server-key.pem"
        self.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key_pem.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_pem, self.key_pem)
        return context

    def client_context(self) -> ssl.SSLContext:
        """What the mailer gets: the default context, trusting this CA instead of the system's."""
        return ssl.create_default_context(cafile=str(self.ca_pem))


def _certificate(
    subject: x509.Name, issuer: x509.Name, public: Any, signer: Any, *, ca: bool
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public), critical=False
        )
    else:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


class ScriptedHandler:
    """aiosmtpd handler: replies by script, keeps what it received."""

    def __init__(self, stall_seconds: float = 30.0) -> None:
        self.script: dict[str, deque[str]] = defaultdict(deque)
        self.received: list[Envelope] = []
        self.attempts: dict[str, int] = defaultdict(int)  # DATA (or refused RCPT) per recipient
        self.stall_seconds = stall_seconds
        self._lock = threading.Lock()

    def reply(self, address: str, *modes: str) -> None:
        """Answer the next deliveries to `address` so, in order (then `ok`)."""
        self.script[address.lower()].extend(modes)

    def _next(self, address: str, peek: bool = False) -> str:
        with self._lock:
            queue = self.script[address.lower()]
            if not queue:
                return "ok"
            return queue[0] if peek else queue.popleft()

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self._next(address, peek=True) == "550":
            self._next(address)
            self.attempts[address.lower()] += 1
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        address = envelope.rcpt_tos[0]
        self.attempts[address.lower()] += 1
        mode = self._next(address)
        if mode == "451":
            return "451 4.3.0 try again later"
        if mode == "554":
            return "554 5.7.1 message rejected"
        if mode == "stall":
            await asyncio.sleep(self.stall_seconds)
            return "451 4.4.2 timed out"
        self.received.append(envelope)
        if mode == "drop":
            assert server.transport is not None
            server.transport.abort()  # the mail is ours; the client never hears so
            return "250 OK"
        return f"250 2.0.0 OK queued as q{len(self.received)}"


def _authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=good, handled=False, auth_data=data)


class SmtpServer:
    """A running aiosmtpd on 127.0.0.1: STARTTLS and AUTH required, or implicit TLS, or plain."""

    def __init__(
        self,
        ca: CertificateAuthority,
        *,
        security: str = "starttls",
        stall_seconds: float = 30.0,
        smtputf8: bool = False,
    ) -> None:
        # aiosmtpd 1.4 warns of its own use of Session.login_data on every login.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        self.handler = ScriptedHandler(stall_seconds)
        self.port = _free_port()
        self.security = security
        options: dict[str, Any] = {}
        if security == "starttls":
            options = {
                "tls_context": ca.server_context(),
                "require_starttls": True,
                "authenticator": _authenticate,
                "auth_required": True,
            }
        elif security == "tls":
            options = {
                "ssl_context": ca.server_context(),
                "authenticator": _authenticate,
                "auth_required": True,
                "auth_require_tls": False,  # aiosmtpd counts STARTTLS only; this is TLS already
            }
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            enable_SMTPUTF8=smtputf8,  # RFC 6531: an internationalised address, as typed
            **options,
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Envelope]:
        return self.handler.received


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
