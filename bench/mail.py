"""What mail costs the apps: verifying SendGrid's event batches, and one SMTP send.

`python -m bench.mail [--events 1 100 1000 4000] [--mails 30]`

- The service's side of SendGrid's Event Webhook: ECDSA P-256 verification of a
  signed batch plus reading it into events (common/mail_events), for batches of
  realistic events (tests/support/sendgrid_standin.py), median of 20 runs.
- The worker's side of SMTP: one mail through worker/mail/smtp.py to aiosmtpd on
  loopback with STARTTLS, a test CA and a login, a new connection per mail as the
  mailer makes it; median and slowest of `--mails` sends. Loopback hides the
  network: add the provider's round trips (about 6 of them: greeting, EHLO,
  STARTTLS, EHLO, AUTH, MAIL/RCPT/DATA) to this.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from common.mail_events import SendGridEvents
from tests.support.sendgrid_standin import EventWebhook
from tests.support.smtp_server import PASSWORD, USERNAME, CertificateAuthority, SmtpServer
from worker.mail import Mail
from worker.mail.smtp import SmtpMailer


def verify_batches(sizes: list[int], runs: int = 20) -> None:
    webhook = EventWebhook()
    verifier = SendGridEvents(webhook.public_key)
    now = int(time.time())
    print(f"{'events':>7} {'KiB':>7} {'verify + read, ms (median of 20)':>34}")
    for size in sizes:
        batch = [
            webhook.event(
                ("processed", "delivered", "bounce", "deferred")[n % 4],
                order_id=f"order-{n // 4}",
                message_id=f"msg{n // 4}",
                timestamp=now - 60 + n % 60,
            )
            for n in range(size)
        ]
        body = json.dumps(batch).encode()
        headers = webhook.headers(body)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            verifier.verify(body, headers, now=now)
            verifier.read(body)
            times.append(time.perf_counter() - start)
        print(f"{size:>7} {len(body) / 1024:>7.0f} {statistics.median(times) * 1000:>34.2f}")


def smtp_sends(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ca = CertificateAuthority(Path(folder))
        with SmtpServer(ca) as server:
            mailer = SmtpMailer(
                "127.0.0.1",
                server.port,
                security="starttls",
                mail_from="books@example.com",
                username=USERNAME,
                password=PASSWORD,
                context=ca.client_context(),
            )
            mail = Mail(
                to="ada@example.com",
                to_name="Ada Lovelace",
                subject="Your copy",
                text="Download: https://books.example/d/x\n" * 20,
                html="<p>Download</p>" * 20,
                order_id="bench-1",
            )
            mailer.send(mail)  # imports and the first handshake out of the way
            times = []
            for _ in range(count):
                start = time.perf_counter()
                mailer.send(mail)
                times.append(time.perf_counter() - start)
            assert len(server.received) == count + 1
    print(
        f"SMTP over STARTTLS + AUTH, loopback, {count} mails: median "
        f"{statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1, 100, 1000, 4000])
    parser.add_argument("--mails", type=int, default=30)
    args = parser.parse_args()
    verify_batches(args.events)
    smtp_sends(args.mails)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
