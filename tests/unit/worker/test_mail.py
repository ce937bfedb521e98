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
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.i18n import LANGUAGES, direction
from common.messages import Buyer, KindleRequested, LinksRequested, OrderPaid, push_envelope
from common.orders import OrderRecord, Status
from common.settings import Settings
from worker.app import create_app
from worker.mail import (
    Attachment,
    Link,
    Mail,
    OutboxMailer,
    Shop,
    render_delivery,
    render_kindle,
    render_new_edition,
)
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


# --- The buyer's language ----------------------------------------------------------------

_RECORD = OrderRecord(
    "552312-1",
    Status.MAILED,
    "Qwyx Zorblat",
    "Zoë Quist",
    "zoe@example.com",
    "EXL-QQQQ-ZZZZ",
    "2025-06-15T12:00:00Z",
)
_SHOP = Shop("Vexlo Grummet", "https://books.example/links", "help@books.example", 5)
_LINKS = [Link("qwyx.epub", "https://books.example/d/t0k3n.a", "2.4 MB")]


def _every_mail(language: str) -> dict[str, Mail]:
    copy = Attachment("qwyx.epub", "application/epub+zip", b"PK")
    return {
        "delivery": render_delivery(_RECORD, _LINKS, int(NOW), _SHOP, language=language),
        "resend": render_delivery(_RECORD, _LINKS, int(NOW), _SHOP, resend=True, language=language),
        "gift": render_delivery(
            replace(_RECORD, merchant="gift"), _LINKS, int(NOW), _SHOP, language=language
        ),
        "unlimited": render_delivery(
            _RECORD, _LINKS, int(NOW), replace(_SHOP, download_limit=0), language=language
        ),
        "once": render_delivery(
            _RECORD, _LINKS, int(NOW), replace(_SHOP, download_limit=1), language=language
        ),
        "new_edition": render_new_edition(
            _RECORD, "Qwyx Zorblat", _LINKS, int(NOW), _SHOP, language=language
        ),
        "kindle": render_kindle(_RECORD, "zoe@kindle.com", copy, _SHOP, language=language),
    }


def _phrases(text: str) -> set[tuple[str, str]]:
    """Each two words in a row: a translation may share a word with English (page, Kindle,
    personal), hardly two in a row."""
    words = [w.strip(".,:;!?()’'\"،؟¿¡").lower() for w in text.split()]
    # Only words of letters: addresses, links, codes and sizes are the same in any language.
    return {(a, b) for a, b in pairwise(words) if a.isalpha() and b.isalpha()}


def _english_phrases(kind: str) -> set[tuple[str, str]]:
    """What the English mail says itself: not the buyer's, the book's or the shop's words."""
    english = _every_mail("en")[kind]
    data = {
        w for pair in _phrases(f"{_RECORD.buyer_name} {_RECORD.title} {_SHOP.name}") for w in pair
    }
    said = _phrases(english.text) | _phrases(english.subject)
    return {pair for pair in said if not data.intersection(pair)}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_mail_speaks_the_language_with_no_english_left_over(language: str) -> None:
    for kind, mail in _every_mail(language).items():
        said = _phrases(mail.text) | _phrases(mail.subject)
        left_over = said & _english_phrases(kind)
        assert not left_over, f"{kind} in {language} still says {sorted(left_over)}"
        assert mail.language == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_in_every_language_both_parts_say_the_same_and_the_html_names_its_language(
    language: str,
) -> None:
    for kind, mail in _every_mail(language).items():
        assert facts(mail.text) == facts(visible(mail.html)), f"{kind} in {language}"
        assert f'<html lang="{language}" dir="{direction(language)}">' in mail.html


def test_arabic_mails_are_right_to_left() -> None:
    assert '<html lang="ar" dir="rtl">' in _every_mail("ar")["delivery"].html


def test_arabic_says_a_count_in_its_own_plural_forms() -> None:
    def sentence(limit: int) -> str:
        shop = replace(_SHOP, download_limit=limit)
        mail = render_delivery(_RECORD, _LINKS, int(NOW), shop, language="ar")
        return " ".join(mail.text.split())

    assert "مرة واحدة" in sentence(1)  # one
    assert "مرتين" in sentence(2)  # two: a dual, no number
    assert "3 مرات" in sentence(3)  # few (3-10)
    assert "11 مرة" in sentence(11)  # many (11-99)


def test_dates_and_sizes_are_the_mail_s_language(client: FlaskClient, branded: Settings) -> None:
    assert push(client, replace(paid(), language="de")) == 204
    [mail] = outbox(branded)
    text = " ".join(plain_text(mail).split())
    assert "bis zum 15. Juli 2025 3-mal heruntergeladen" in text
    assert re.search(r"\(\d+(,\d)? kB\):", text)  # the size as German writes it


def test_a_store_s_language_names_the_mail_s_language(
    client: FlaskClient, branded: Settings
) -> None:
    assert push(client, replace(paid(), language="fr")) == 204
    [mail] = outbox(branded)
    assert mail["Subject"] == "Votre exemplaire de Practical Python Projects est prêt"
    assert mail["Content-Language"] == "fr"
    assert '<html lang="fr" dir="ltr">' in html_part(mail)
    assert record(branded).language == "fr"


def test_without_the_store_s_language_the_mail_speaks_the_shop_s(
    branded: Settings, originals: Path
) -> None:
    settings = branded.with_overrides(shop_language="nl")
    assert push(create_app(settings, clock=lambda: NOW).test_client(), paid()) == 204
    [mail] = outbox(settings)
    assert mail["Content-Language"] == "nl"
    assert mail["Subject"] == "Uw exemplaar van Practical Python Projects staat klaar"


def test_fresh_links_speak_the_page_s_language_when_the_order_names_none(
    client: FlaskClient, branded: Settings
) -> None:
    push(client, paid())  # no language from the store: English, SHOP_LANGUAGE
    push(client, replace(paid("552312-2"), language="it"), "m-2")
    asked = LinksRequested("ada@example.com", "r-1", "t", language="es")
    assert push(client, asked, "m-3") == 204
    resent = {m["X-Exlibris-Order"]: m for m in outbox(branded)[2:]}
    assert resent["552312-1"]["Content-Language"] == "es"  # the page's: the order has none
    assert (
        resent["552312-1"]["Subject"] == "Nuevos enlaces de descarga para Practical Python Projects"
    )
    assert resent["552312-2"]["Content-Language"] == "it"  # the order's wins


def test_the_kindle_mail_speaks_the_order_s_language(
    client: FlaskClient, branded: Settings
) -> None:
    push(client, replace(paid(), language="ar"))
    epub = next(n for n, f in enumerate(record(branded).files) if f.filename.endswith(".epub"))
    asked = KindleRequested("552312-1", epub, "ada@kindle.com", "k-1", "2025-06-15T12:00:00Z")
    assert push(client, asked, "m-k") == 204
    kindle = next(m for m in outbox(branded) if m["X-Exlibris-Mail-Kind"] == "kindle")
    assert kindle["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in html_part(kindle)
    assert "مرفقة لمكتبة Kindle" in " ".join(plain_text(kindle).split())


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_buyer_s_placeholders_and_markup_stay_text_in_any_language(language: str) -> None:
    hostile = replace(_RECORD, buyer_name="%(name)s {code} <script>", title="100% %(title)s <b>")
    mail = render_delivery(hostile, _LINKS, int(NOW), _SHOP, language=language)
    assert "%(name)s {code} <script>" in mail.text
    assert "100% %(title)s <b>" in mail.subject
    assert "%(name)s {code} &lt;script&gt;" in mail.html and "<script>" not in mail.html
