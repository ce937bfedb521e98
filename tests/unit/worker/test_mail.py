"""The delivery mail: what it tells the buyer, both parts saying the same, and adapter failures.

Mails are made by the worker app from a pushed order and read back from the
outbox (the embedded mail adapter), as the buyer's mail client would see them.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.messages import Buyer, LinksRequested, OrderPaid, push_envelope
from common.orders import OrderRecord, Status
from common.settings import Settings
from worker.app import create_app
from worker.mail import Mail, OutboxMailer
from worker.mail._outbox import plain_text, read_mail

NOW = 1_750_000_000.0  # 2025-06-15
SUBSCRIPTION = "projects/p/subscriptions/orders-push"
ADA = Buyer("Ada Lovelace", "ada@example.com")


def paid(order_id: str = "552312-1", buyer: Buyer = ADA) -> OrderPaid:
    return OrderPaid(
        order_id,
        ("paddle:552312",),
        f"evt-{order_id}",
        "2025-06-15T12:00:00Z",
        "paddle",
        "classic",
        buyer,
    )


def push(client: FlaskClient, message: Any, message_id: str = "m-1") -> int:
    return client.post(
        "/pubsub/push", json=push_envelope(message, message_id, SUBSCRIPTION)
    ).status_code


def outbox(settings: Settings) -> list[EmailMessage]:
    return [read_mail(p) for p in sorted((settings.local_data_dir / "outbox").glob("*.eml"))]


def record(settings: Settings, order_id: str = "552312-1") -> OrderRecord:
    bucket = settings.local_data_dir / "storage" / settings.delivery_bucket
    return OrderRecord.from_json((bucket / f"orders/{order_id}.json").read_bytes())


def html_part(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None
    text: str = body.get_content()
    return text


class _Visible(HTMLParser):
    """What a reader of the HTML part gets: the text, and where each link goes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0  # inside <head>: mail clients show none of it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.parts.append(f" {href.removeprefix('mailto:')} ")
        self._hidden += tag == "head"

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag == "head"

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def facts(text: str) -> set[str]:
    """URLs and words, without the punctuation that differs between the two parts."""
    urls = set(re.findall(r"https?://[^\s\"<>]+", text))
    words = re.findall(r"[\w@.+'’-]+", re.sub(r"https?://[^\s\"<>]+", " ", text))
    return urls | {w.strip(".-’'").lower() for w in words if w.strip(".-’'")}


def visible(markup: str) -> str:
    parser = _Visible()
    parser.feed(markup)
    return html.unescape("".join(parser.parts))


@pytest.fixture
def branded(settings: Settings) -> Settings:
    return settings.with_overrides(
        shop_name="Practical Books", support_email="help@books.example", download_limit=3
    )


@pytest.fixture
def client(branded: Settings, originals: Path) -> FlaskClient:
    return create_app(branded, clock=lambda: NOW).test_client()


def test_the_outbox_mail_is_from_the_shop_by_name(client: FlaskClient, branded: Settings) -> None:
    assert push(client, paid()) == 204
    [mail] = outbox(branded)
    assert mail["From"] == "Practical Books <books@example.com>"
    assert mail["From"].addresses[0].display_name == "Practical Books"


def test_the_mail_says_how_often_until_when_whom_to_ask_and_where_to_download(
    client: FlaskClient, branded: Settings
) -> None:
    push(client, paid())
    [mail] = outbox(branded)
    for part in (plain_text(mail), visible(html_part(mail))):
        text = " ".join(part.split())
        assert "can be downloaded 3 times" in text
        assert "until 15 July 2025" in text  # LINK_TTL (30 days) after the purchase
        assert "help@books.example" in text
        assert "download page" in text
        assert re.search(r"http://127\.0\.0\.1:8080/d/[\w.-]+", text)
        assert "http://127.0.0.1:8080/links" in text


def test_the_text_and_html_parts_say_the_same(client: FlaskClient, branded: Settings) -> None:
    push(client, paid())
    [mail] = outbox(branded)
    assert facts(plain_text(mail)) == facts(visible(html_part(mail)))


def test_without_a_limit_the_mail_says_as_often_as_you_like(
    settings: Settings, originals: Path
) -> None:
    client = create_app(settings.with_overrides(download_limit=0), clock=lambda: NOW).test_client()
    push(client, paid())
    [mail] = outbox(settings)
    assert "as often as you like" in " ".join(plain_text(mail).split())
    assert "as often as you like" in " ".join(visible(html_part(mail)).split())


def test_without_a_support_address_the_mail_names_the_sender(
    settings: Settings, originals: Path
) -> None:
    client = create_app(settings, clock=lambda: NOW).test_client()
    push(client, paid())
    [mail] = outbox(settings)
    assert "Questions? Write to books@example.com" in " ".join(plain_text(mail).split())


@pytest.mark.parametrize(
    "email", ["zoe@bücher.de", "zoë@example.com"], ids=["idn-domain", "utf8-local-part"]
)
def test_international_addresses_reach_the_outbox(
    client: FlaskClient, branded: Settings, email: str
) -> None:
    assert push(client, paid(buyer=Buyer("Zoë", email))) == 204
    [mail] = outbox(branded)
    [to] = mail["To"].addresses
    assert to.display_name == "Zoë"
    assert to.addr_spec in {email, email.replace("bücher.de", "xn--bcher-kva.de")}
    assert record(branded).status == Status.MAILED


class BrokenMailer:
    """An adapter with a bug: it raises something other than MailError before sending."""

    def __init__(self) -> None:
        self.calls = 0

    def send(self, mail: Mail) -> str:
        self.calls += 1
        raise ValueError(f"cannot build a mail for {mail.to!r}")

    def sent(self, key: str) -> str | None:
        return None


def dead_letters(settings: Settings) -> list[dict[str, Any]]:
    folder = settings.local_data_dir / "dead-letter"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def test_an_adapter_bug_releases_the_claim_and_keeps_the_order_for_the_author(
    branded: Settings, originals: Path
) -> None:
    mailer = BrokenMailer()
    client = create_app(branded, mailer=mailer, clock=lambda: NOW).test_client()
    assert push(client, paid()) == 204  # dead-lettered, not retried for days
    rec = record(branded)
    assert rec.status == Status.STAMPED  # not stuck in mailing: a replay mails it
    assert rec.mail_claimed_at == 0.0
    [letter] = dead_letters(branded)
    assert "cannot build a mail" in letter["reason"]
    fixed = create_app(branded, clock=lambda: NOW).test_client()
    assert push(fixed, paid(), "m-2") == 204
    assert len(outbox(branded)) == 1
    assert record(branded).status == Status.MAILED


def test_an_adapter_bug_on_a_resend_is_a_dead_letter_not_a_500(
    client: FlaskClient, branded: Settings
) -> None:
    push(client, paid())
    broken = create_app(branded, mailer=BrokenMailer(), clock=lambda: NOW).test_client()
    response = broken.post(
        "/pubsub/push",
        json=push_envelope(LinksRequested("ada@example.com", "r-1", "t"), "m-9", SUBSCRIPTION),
    )
    assert response.status_code == 204
    assert [letter["kind"] for letter in dead_letters(branded)] == ["links.requested"]


def test_a_display_name_in_mail_from_wins_over_the_shop_name(
    branded: Settings, originals: Path
) -> None:
    """MAIL_FROM="Held Out <books@example.com>" once came out as 'exlibris <"Held Out <books"…>'."""
    settings = branded.with_overrides(mail_from="Held Out <held@example.com>")
    assert push(create_app(settings, clock=lambda: NOW).test_client(), paid()) == 204
    [mail] = outbox(settings)
    assert mail["From"].addresses[0].display_name == "Held Out"
    assert mail["From"].addresses[0].addr_spec == "held@example.com"


def test_the_outbox_answers_which_mail_went_out_under_a_key(tmp_path: Path) -> None:
    outbox = OutboxMailer(tmp_path, sender="books@example.com")
    mail = Mail("ada@example.com", "Ada", "Your book", "text", "<p>html</p>", "552312-1")
    first = outbox.send(replace(mail, key="delivery/552312-1/1750000000.0"))
    outbox.send(mail)  # unkeyed, as re-sends are
    assert outbox.sent("delivery/552312-1/1750000000.0") == first
    assert outbox.sent("delivery/552312-1/1750000300.0") is None
    assert outbox.sent("") is None
