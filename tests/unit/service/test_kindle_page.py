"""Send to Kindle from the download page: a real fulfilment, then the buyer at the link.

POST /d/<token>/kindle publishes KindleRequested to the worker (in process here) and
counts one download; the worker mails the stamped EPUB to the Kindle address only.
Refusals (403 not from the page, 400 not a Kindle's address, 422 too large for one mail,
429 too often, 410 gone) count nothing and publish nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from common.messages import Buyer, ContractError, KindleRequested, OrderPaid, push_envelope
from common.settings import Settings
from service.app import create_app as create_service
from stamping.kindle import LARGEST_BOOK
from tests.support.download_page import forms_of, kindle_forms
from tests.support.inline_publisher import InlinePublisher
from tests.unit.service.test_downloads import (
    NOW,
    ORDER,
    SUBSCRIPTION,
    counts,
    purchase,
    stored_record,
)
from worker.app import create_app as create_worker
from worker.mail._outbox import read_mail

KINDLE = "ada_lovelace_1815@kindle.com"


@pytest.fixture
def token(settings: Settings, originals: Path) -> str:
    return purchase(settings, Buyer("Ada Lovelace", "ada@example.com"))


@pytest.fixture
def publisher(settings: Settings) -> InlinePublisher:
    """Hands each message to the worker at once, as Pub/Sub would a moment later."""
    return InlinePublisher(create_worker(settings, clock=lambda: NOW).test_client())


@pytest.fixture
def service(settings: Settings, publisher: InlinePublisher) -> Callable[..., FlaskClient]:
    def build(**changes: object) -> FlaskClient:
        chosen = settings.with_overrides(**changes) if changes else settings
        return create_service(chosen, publisher=publisher, clock=lambda: NOW).test_client()

    return build


def epub_link(client: FlaskClient, token: str) -> str:
    """The EPUB's own /d/<token> (the mailed link names the PDF; the page lists both)."""
    _pdf, epub = forms_of(client.get(f"/d/{token}").text)
    return epub.action


def send(client: FlaskClient, link: str, address: str, **headers: str) -> TestResponse:
    """What the Send to Kindle button does: GET the page, post its Kindle form back."""
    [form] = kindle_forms(client.get(link).text)
    assert form.action == f"{link}/kindle"
    return client.post(form.action, data={**form.fields, "kindle_email": address}, headers=headers)


def mails(settings: Settings) -> list[EmailMessage]:
    return [read_mail(p) for p in sorted((settings.local_data_dir / "outbox").glob("*.eml"))]


def test_each_epub_gets_a_form_naming_the_sender_to_approve(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(mail_from="Held Out Press <books@heldout.example>")
    page = client.get(f"/d/{token}")
    [form] = kindle_forms(page.text)  # the PDF gets none
    assert set(form.fields) == {"form", "kindle_email"}
    assert form.buttons == ["Send to Kindle"]
    text = " ".join(page.text.split())
    assert "books@heldout.example" in text and "Approved Personal Document E-mail List" in text
    assert "Apple Books" in text and "Google Play Books" in text and "Kobo" in text
    assert "from the author" not in text  # no READER_HELP_URL, no link
    assert "<script" not in page.text
    assert counts(settings) == (0, 0)
    helped = service(reader_help_url="https://author.example/reading").get(f"/d/{token}")
    assert 'href="https://author.example/reading"' in helped.text


def test_the_epub_goes_to_the_kindle_address_only_as_the_stamped_copy(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    before = len(mails(settings))
    answer = send(client, epub_link(client, token), KINDLE)
    assert answer.status_code == 200
    text = " ".join(answer.text.split())
    assert f"Sent to {KINDLE}" in text and "within a few minutes" in text
    assert "4 of 5 downloads left" in text  # the answer shows the new count
    assert counts(settings) == (0, 1)
    [mail] = mails(settings)[before:]
    assert mail["To"].addresses[0].addr_spec == KINDLE
    assert mail["Cc"] is None and mail["Bcc"] is None
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/epub+zip"
    record = stored_record(settings)
    bucket = settings.local_data_dir / "storage" / settings.delivery_bucket
    copy = bucket / record.files[1].object_name
    assert attachment.get_content() == copy.read_bytes()
    assert attachment.get_filename() == record.files[1].filename
    assert record.mails[-1].kind == "kindle" and record.mails[-1].to == "a***@k***.com"
    assert KINDLE not in (bucket / f"orders/{ORDER}.json").read_text()


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.com",
        "",
        "not an address",
        "ada@kindle.com.evil.example",
        "ada@notkindle.com",
        "ada@kindle.co",
        "Ada <ada@kindle.com>",
        "ada@kindle.com, eve@example.com",
    ],
    ids=["other-domain", "empty", "no-at", "suffix", "lookalike", "other-tld", "display", "two"],
)
def test_a_non_kindle_address_is_400_and_nothing_is_counted_or_sent(
    token: str,
    service: Callable[..., FlaskClient],
    settings: Settings,
    publisher: InlinePublisher,
    address: str,
) -> None:
    client = service()
    before = len(mails(settings))
    answer = send(client, epub_link(client, token), address)
    assert answer.status_code == 400
    assert "@kindle.com" in answer.text or "not an e-mail address" in answer.text
    assert kindle_forms(answer.text)  # the page again, to correct the address
    assert counts(settings) == (0, 0)
    assert publisher.published == [] and len(mails(settings)) == before


def test_a_free_kindle_address_is_taken(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    assert send(client, epub_link(client, token), "ada@free.kindle.com").status_code == 200
    assert mails(settings)[-1]["To"].addresses[0].addr_spec == "ada@free.kindle.com"


def test_a_post_not_from_the_page_is_403_and_counts_nothing(
    token: str, service: Callable[..., FlaskClient], settings: Settings, publisher: InlinePublisher
) -> None:
    client = service()
    link = epub_link(client, token)
    bare = client.post(f"{link}/kindle", data={"kindle_email": KINDLE})
    assert bare.status_code == 403
    other_site = send(client, link, KINDLE, **{"Sec-Fetch-Site": "cross-site"})
    assert other_site.status_code == 403
    assert counts(settings) == (0, 0) and publisher.published == []


def test_a_copy_too_large_for_one_mail_is_refused_on_the_page_before_counting(
    token: str, service: Callable[..., FlaskClient], settings: Settings, publisher: InlinePublisher
) -> None:
    client = service()
    link = epub_link(client, token)
    [form] = kindle_forms(client.get(link).text)
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / f"orders/{ORDER}.json"
    record = stored_record(settings)
    biggest = LARGEST_BOOK  # fits exactly, after base64
    files = list(record.files)
    for size, fits in ((biggest, True), (biggest + 3, False)):
        files[1] = replace(files[1], size=size)
        path.write_bytes(replace(record, files=tuple(files)).to_json())
        page = client.get(link).text
        assert bool(kindle_forms(page)) is fits
    assert "too large to mail to a Kindle" in " ".join(page.split())
    answer = client.post(form.action, data={**form.fields, "kindle_email": KINDLE})
    assert answer.status_code == 422
    text = " ".join(answer.text.split())
    assert "30 MB" in text and "Amazon 50 MB" in text and "base64" in text
    assert counts(settings) == (0, 0) and publisher.published == []


def test_sends_are_limited_per_link(
    token: str, service: Callable[..., FlaskClient], settings: Settings, publisher: InlinePublisher
) -> None:
    client = service(download_limit=0)
    link = epub_link(client, token)
    answers = [send(client, link, f"reader{n}@kindle.com").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(publisher.published) == 3 and counts(settings) == (0, 3)


def test_sends_are_limited_per_kindle_address(
    token: str, service: Callable[..., FlaskClient], settings: Settings, publisher: InlinePublisher
) -> None:
    second = "552313-8"
    worker = create_worker(settings, clock=lambda: NOW).test_client()
    paid = OrderPaid(
        second, ("paddle:552312",), "evt-8", "2025-06-15T12:00:00Z", "paddle", "classic",
        Buyer("Bea", "bea@example.com"),
    )  # fmt: skip
    assert worker.post("/pubsub/push", json=push_envelope(paid, "m-8", SUBSCRIPTION)).status_code
    other = next(m for m in mails(settings) if m["X-Exlibris-Order"] == second)
    other_token = other.get_body(("plain",)).get_content().split("/d/")[1].split()[0]
    client = service(download_limit=0)
    links = [epub_link(client, token), epub_link(client, other_token)]
    answers = [send(client, links[n // 3], KINDLE) for n in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert len(publisher.published) == 5 and counts(settings) == (0, 3)


def test_a_used_up_link_is_refused_like_the_download_button(
    token: str, service: Callable[..., FlaskClient], settings: Settings, publisher: InlinePublisher
) -> None:
    client = service(download_limit=1)
    link = epub_link(client, token)
    [form] = kindle_forms(client.get(link).text)
    assert send(client, link, KINDLE).status_code == 200
    again = client.post(form.action, data={**form.fields, "kindle_email": KINDLE})
    assert again.status_code == 410
    assert len(publisher.published) == 1 and counts(settings) == (0, 1)


def test_a_redelivered_request_mails_once(
    token: str, settings: Settings, publisher: InlinePublisher
) -> None:
    message = KindleRequested(ORDER, 1, KINDLE, "req-1", "2025-06-15T12:00:00Z")
    before = len(mails(settings))
    for attempt in range(2):
        envelope = push_envelope(message, f"m-{attempt}", SUBSCRIPTION)
        assert publisher.worker.post("/pubsub/push", json=envelope).status_code < 300
    assert len(mails(settings)) == before + 1
    assert [m.kind for m in stored_record(settings).mails].count("kindle") == 1


def test_a_copy_the_lifecycle_rule_deleted_is_stamped_again_and_sent(
    token: str, settings: Settings, publisher: InlinePublisher
) -> None:
    record = stored_record(settings)
    copy = (
        settings.local_data_dir / "storage" / settings.delivery_bucket / record.files[1].object_name
    )
    copy.unlink()
    message = KindleRequested(ORDER, 1, KINDLE, "req-2", "2025-06-15T12:00:00Z")
    publisher.publish(message)
    assert publisher.unhandled == []
    [attachment] = list(mails(settings)[-1].iter_attachments())
    assert attachment.get_content() == copy.read_bytes()


def test_a_refund_before_the_worker_mails_sends_nothing(
    token: str, settings: Settings, publisher: InlinePublisher
) -> None:
    before = len(mails(settings))
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / f"orders/{ORDER}.json"
    path.write_bytes(stored_record(settings).revoked(reason="refund", at="t").to_json())
    publisher.publish(KindleRequested(ORDER, 1, KINDLE, "req-3", "2025-06-15T12:00:00Z"))
    assert publisher.unhandled == [] and len(mails(settings)) == before


def test_the_contract_refuses_a_non_kindle_address() -> None:
    with pytest.raises(ContractError, match=r"@kindle\.com"):
        KindleRequested(ORDER, 1, "eve@example.com", "req-4", "2025-06-15T12:00:00Z")
