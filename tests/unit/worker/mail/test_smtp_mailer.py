"""The SMTP mailer against a real SMTP server (aiosmtpd on loopback, tests/support/smtp_server.py).

Certificates are verified against a test CA; each reply class is judged where
it came: 4xx temporary, 5xx permanent, a drop after DATA unknown.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from common.settings import Settings
from tests.support.smtp_server import PASSWORD, USERNAME, CertificateAuthority, SmtpServer
from worker.bootstrap import build_mailer
from worker.mail import Mail, MailError
from worker.mail.smtp import SmtpMailer

BUYER = "ada@example.com"


def mail(to: str = BUYER, kind: str = "delivery") -> Mail:
    return Mail(
        to=to,
        to_name="Ada Lovelace",
        subject="Your copy of Practical Python",
        text="Download: https://books.example/d/abc",
        html="<p>Download: <a href='https://books.example/d/abc'>here</a></p>",
        order_id="552312-1",
        category=kind,
    )


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def server(ca: CertificateAuthority) -> Iterator[SmtpServer]:
    with SmtpServer(ca, stall_seconds=5) as running:
        yield running


def mailer(
    server: SmtpServer,
    ca: CertificateAuthority,
    *,
    password: str = PASSWORD,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> SmtpMailer:
    return SmtpMailer(
        "127.0.0.1",
        server.port,
        security=server.security,
        mail_from="books@example.com",
        from_name="Practical Books",
        username=USERNAME if server.security != "none" else "",
        password=password if server.security != "none" else "",
        timeout=timeout,
        context=context or ca.client_context(),
    )


def test_an_imprints_mail_goes_out_from_the_imprint_envelope_and_header(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    imprinted = replace(mail(), from_name="Held Out Press", from_address="books@heldout.example")
    mailer(server, ca).send(imprinted)
    [envelope] = server.received
    assert envelope.mail_from == "books@heldout.example"  # bounces return to the imprint
    sent = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert sent["From"] == "Held Out Press <books@heldout.example>"
    assert sent["Message-ID"].endswith("@heldout.example>")


def test_a_mail_goes_through_starttls_and_login_once(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    message_id = mailer(server, ca).send(mail())
    [envelope] = server.received
    assert envelope.mail_from == "books@example.com"
    assert envelope.rcpt_tos == [BUYER]
    sent = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert sent["Message-ID"] == message_id
    assert sent["X-Exlibris-Order"] == "552312-1"
    assert sent["X-Exlibris-Mail-Kind"] == "delivery"
    assert sent["From"] == "Practical Books <books@example.com>"


def test_the_mail_s_language_is_its_content_language(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    mailer(server, ca).send(replace(mail(), language="ar"))
    mailer(server, ca).send(mail())
    arabic, unstated = (
        message_from_bytes(e.original_content or b"", policy=policy.default)
        for e in server.received
    )
    assert arabic["Content-Language"] == "ar"
    assert unstated["Content-Language"] is None


def test_implicit_tls_works_too(ca: CertificateAuthority) -> None:
    with SmtpServer(ca, security="tls") as server:
        mailer(server, ca).send(mail())
        assert len(server.received) == 1


def test_a_451_is_temporary_and_the_next_try_goes_through(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    server.handler.reply(BUYER, "451")
    with pytest.raises(MailError) as refused:
        mailer(server, ca).send(mail())
    assert refused.value.transient and not refused.value.maybe_sent
    assert "451" in str(refused.value)
    assert server.received == []
    mailer(server, ca).send(mail())
    assert len(server.received) == 1


@pytest.mark.parametrize(("mode", "code"), [("550", "550"), ("554", "554")])
def test_a_5xx_is_permanent(
    server: SmtpServer, ca: CertificateAuthority, mode: str, code: str
) -> None:
    server.handler.reply(BUYER, mode)
    with pytest.raises(MailError) as refused:
        mailer(server, ca).send(mail())
    assert not refused.value.transient and not refused.value.maybe_sent
    assert code in str(refused.value)
    assert server.received == []


def test_a_connection_dropped_after_data_leaves_the_outcome_unknown(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    server.handler.reply(BUYER, "drop")
    with pytest.raises(MailError) as lost:
        mailer(server, ca).send(mail())
    assert lost.value.maybe_sent and lost.value.transient
    assert len(server.received) == 1  # the server has it: sending again would be a duplicate


def test_a_stalling_server_is_given_up_on_at_the_deadline(
    server: SmtpServer, ca: CertificateAuthority
) -> None:
    server.handler.reply(BUYER, "stall")
    with pytest.raises(MailError) as lost:
        mailer(server, ca, timeout=1.0).send(mail())
    assert lost.value.maybe_sent
    assert "no answer within 1 s" in str(lost.value)


def test_a_certificate_the_mailer_does_not_trust_is_a_configuration_error(
    server: SmtpServer, ca: CertificateAuthority, caplog: pytest.LogCaptureFixture
) -> None:
    untrusting = ssl.create_default_context()  # the system's CAs: the test CA is not one
    with caplog.at_level(logging.ERROR), pytest.raises(MailError) as refused:
        mailer(server, ca, context=untrusting).send(mail())
    assert refused.value.transient and not refused.value.maybe_sent
    assert "does not verify" in str(refused.value)
    ours = [r.levelno for r in caplog.records if r.name == "worker.mail.smtp"]
    assert ours == [logging.ERROR]  # once, naming the cause
    assert server.received == []


def test_a_wrong_password_waits_for_the_fix_and_is_never_shown(
    server: SmtpServer, ca: CertificateAuthority, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "not-the-password-42"
    with caplog.at_level(logging.ERROR), pytest.raises(MailError) as refused:
        mailer(server, ca, password=wrong).send(mail())
    assert refused.value.transient
    assert "SMTP_USERNAME/SMTP_PASSWORD" in str(refused.value)
    assert wrong not in str(refused.value) and wrong not in caplog.text


def test_a_server_without_starttls_is_a_configuration_error(ca: CertificateAuthority) -> None:
    with SmtpServer(ca, security="none") as plain:
        starttls = SmtpMailer(
            "127.0.0.1",
            plain.port,
            security="starttls",
            mail_from="books@example.com",
            context=ca.client_context(),
        )
        with pytest.raises(MailError, match="offers no STARTTLS") as refused:
            starttls.send(mail())
        assert refused.value.transient
        assert plain.received == []


def test_plain_smtp_to_a_loopback_relay(ca: CertificateAuthority) -> None:
    with SmtpServer(ca, security="none") as plain:
        mailer(plain, ca).send(mail())
        assert len(plain.received) == 1


def test_nobody_listening_is_temporary(ca: CertificateAuthority, tmp_path: Path) -> None:
    with SmtpServer(ca) as gone:
        port = gone.port
    closed = SmtpMailer(
        "127.0.0.1", port, security="starttls", mail_from="books@example.com", timeout=2.0
    )
    with pytest.raises(MailError, match="unreachable") as refused:
        closed.send(mail())
    assert refused.value.transient and not refused.value.maybe_sent


def test_mail_backend_smtp_builds_the_smtp_mailer(ca: CertificateAuthority) -> None:
    settings = Settings.from_env(
        {"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_SECURITY": "none"}
    )
    with SmtpServer(ca, security="none") as plain:
        built = build_mailer(settings.with_overrides(smtp_port=plain.port))
        assert isinstance(built, SmtpMailer)
        built.send(mail())
        assert len(plain.received) == 1


def test_an_internationalised_address_needs_smtputf8(ca: CertificateAuthority) -> None:
    with SmtpServer(ca) as plain_ascii:
        with pytest.raises(MailError, match="SMTPUTF8") as refused:
            mailer(plain_ascii, ca).send(mail("zoë@exämple.com"))
        assert not refused.value.transient and plain_ascii.received == []
    with SmtpServer(ca, smtputf8=True) as modern:
        mailer(modern, ca).send(mail("zoë@exämple.com"))
        [envelope] = modern.received
        assert envelope.rcpt_tos == ["zoë@exämple.com"]
