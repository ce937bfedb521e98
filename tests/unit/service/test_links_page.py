"""/links: a valid address publishes one re-send request; everything else is refused clearly.

The publisher is the embedded one, pointed at a closed port, so every message
it accepts stays on disk (spool or dead-letter) for the test to read.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.logging import JsonFormatter
from common.messages import LinksRequested, decode, parse_envelope
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from common.storage import LocalStorage
from service.app import create_app
from service.links_page import SENT, BadAddress, parse_address

UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"  # discard port: the spool keeps messages
START = 1_760_000_000.0  # 2025-10-09T08:53:20Z


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def publisher(settings: Settings) -> LocalPushPublisher:
    # Nothing is delivered here: every request goes straight to the dead-letter folder,
    # with no pause between failures (Pub/Sub's push backoff is the publisher's own test).
    return LocalPushPublisher(
        UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1, push_backoff=(0.0, 0.0)
    )


@pytest.fixture
def app(settings: Settings, publisher: LocalPushPublisher, clock: Clock) -> Flask:
    branded = settings.with_overrides(shop_name="Practical Books", support_email="help@shop.test")
    return create_app(branded, publisher=publisher, clock=clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def published(settings: Settings) -> list[LinksRequested]:
    """Every request the publisher accepted: with no worker, each ends in the dead-letter folder."""
    envelopes = [json.loads(p.read_text()) for p in dead_letters(settings)]
    messages = [parse_envelope(envelope).message for envelope in envelopes]
    return [m for m in messages if isinstance(m, LinksRequested)]


def dead_letters(settings: Settings) -> list[Path]:
    """Wait until the spool is empty (each message dead-lettered), then list the folder."""
    spool = settings.local_data_dir / "spool"
    deadline = time.monotonic() + 10
    while spool.is_dir() and any(spool.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return sorted((settings.local_data_dir / "dead-letter").glob("*.json"))


def test_the_form_is_labelled_and_branded(client: FlaskClient) -> None:
    page = client.get("/links")
    assert page.status_code == 200
    html = page.text
    assert '<label for="email">' in html and 'id="email" name="email" type="email"' in html
    assert 'method="post" action="/links"' in html
    assert "Practical Books" in html and "mailto:help@shop.test" in html
    assert "<script" not in html and "<style" not in html and "http" not in html.split("<body")[0]


def test_a_form_post_publishes_one_request_and_says_links_are_coming(
    client: FlaskClient, settings: Settings
) -> None:
    page = client.post("/links", data={"email": "  ada@example.com "})
    assert page.status_code == 200
    assert SENT in page.text and "ada@example.com" in page.text
    [message] = published(settings)
    assert message.email == "ada@example.com"
    assert re.fullmatch(r"[0-9a-f]{32}", message.request_id)
    assert message.occurred_at == "2025-10-09T08:53:20Z"


def test_a_json_post_is_accepted_with_202(client: FlaskClient, settings: Settings) -> None:
    answer = client.post("/links", json={"email": "ada@example.com"})
    assert answer.status_code == 202
    assert answer.json == {"status": "accepted", "message": SENT}
    assert [m.email for m in published(settings)] == ["ada@example.com"]


@pytest.mark.parametrize(
    ("accept", "language"),
    [("fr-CH, fr;q=0.9, en;q=0.8", "fr"), ("ja, pt-BR;q=0.5", "pt"), ("ja", ""), (None, "")],
)
def test_the_request_carries_the_page_s_language_for_the_worker_s_mail(
    client: FlaskClient, settings: Settings, accept: str | None, language: str
) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    assert (
        client.post("/links", data={"email": "ada@example.com"}, headers=headers).status_code == 200
    )
    [message] = published(settings)
    assert message.language == language  # "": the worker falls back to SHOP_LANGUAGE


def test_the_answer_does_not_say_whether_the_address_has_orders(
    app: Flask, client: FlaskClient, settings: Settings
) -> None:
    storage: LocalStorage = app.extensions["exlibris"].storage
    storage.write(settings.delivery_bucket, "customers/some-digest/order-1", b"order-1")
    buyer = client.post("/links", json={"email": "buyer@example.com"})
    stranger = client.post("/links", json={"email": "nobody@example.com"})
    assert (buyer.status_code, buyer.json) == (stranger.status_code, stranger.json)
    assert len(published(settings)) == 2  # the worker, not the page, looks for orders


# The reasons are email-validator's, which the page shows as they are.
BAD_ADDRESSES = [
    ("", "enter the email address"),
    ("   ", "enter the email address"),
    ("ada", "must have an @-sign"),
    ("ada@example.com@evil.test", "invalid characters"),
    ("@example.com", "something before the @-sign"),
    ("ada@", "something after the @-sign"),
    ("ada@localhost", "should have a period"),
    ("ada@-bad.example", "hyphen immediately after the @-sign"),
    ("ada@example..com", "two periods in a row"),
    ("ada lovelace@example.com", "invalid characters before the @-sign"),
    ("ada@example.com\r\nBcc: all@example.com", "invalid characters"),
    ("ada@example.com, bob@example.com", "invalid characters"),
    ("<ada@example.com>", "display name and angle brackets"),
    ("Ada <ada@example.com>", "display name and angle brackets"),
    (".ada@example.com", "cannot start with a period"),
    ("ada..l@example.com", "two periods in a row"),
    ("a@" + "b" * 250 + ".com", "too long"),
]


@pytest.mark.parametrize(("text", "reason"), BAD_ADDRESSES)
def test_a_bad_address_re_renders_the_form_with_the_reason(
    client: FlaskClient, settings: Settings, text: str, reason: str
) -> None:
    page = client.post("/links", data={"email": text})
    assert page.status_code == 400
    assert reason.lower() in page.text.lower()
    assert 'aria-invalid="true"' in page.text and 'role="alert"' in page.text
    assert published(settings) == []


@pytest.mark.parametrize(("text", "reason"), BAD_ADDRESSES)
def test_a_bad_address_in_json_is_a_400_with_the_reason(
    client: FlaskClient, settings: Settings, text: str, reason: str
) -> None:
    answer = client.post("/links", json={"email": text})
    assert answer.status_code == 400
    assert reason in answer.json["error"]
    assert published(settings) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[]", "JSON object"),
        ('"ada@example.com"', "JSON object"),
        ("{not json", "JSON object"),
        ('{"email": 42}', "must be a string"),
        ('{"email": null}', "must be a string"),
        ('{"mail": "ada@example.com"}', "enter the email address"),
    ],
)
def test_a_malformed_json_body_is_a_400(
    client: FlaskClient, settings: Settings, body: str, reason: str
) -> None:
    answer = client.post("/links", data=body, content_type="application/json")
    assert answer.status_code == 400
    assert reason in answer.json["error"]
    assert published(settings) == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_a_body_that_is_neither_form_nor_json_is_a_415(
    client: FlaskClient, settings: Settings, content_type: str | None
) -> None:
    answer = client.post("/links", data="email=ada@example.com", content_type=content_type)
    assert answer.status_code == 415
    assert answer.json["error"] == "expected a form or application/json"
    assert published(settings) == []


def test_one_address_gets_three_requests_an_hour(
    client: FlaskClient, settings: Settings, clock: Clock
) -> None:
    spellings = ["ada@example.com", "ADA@example.com", " Ada@Example.com"]
    for i, spelling in enumerate(spellings):
        sender = {"REMOTE_ADDR": f"192.0.2.{i}"}  # other IPs: only the address limit applies
        assert client.post("/links", json={"email": spelling}, environ_base=sender).status_code
    clock.now += 600
    refused = client.post("/links", json={"email": "ada@example.com"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3000"
    assert "50 minutes" in refused.json["error"]
    assert len(published(settings)) == 3
    clock.now += 3000
    assert client.post("/links", json={"email": "ada@example.com"}).status_code == 202


def test_a_rate_limited_form_shows_the_reason_and_keeps_the_address(
    client: FlaskClient,
) -> None:
    for _ in range(3):
        client.post("/links", data={"email": "ada@example.com"})
    page = client.post("/links", data={"email": "ada@example.com"})
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "3600"
    assert "Too many requests" in page.text and 'value="ada@example.com"' in page.text


def test_one_client_gets_ten_requests_an_hour(client: FlaskClient, settings: Settings) -> None:
    me, other = {"REMOTE_ADDR": "198.51.100.7"}, {"REMOTE_ADDR": "198.51.100.8"}
    for i in range(10):
        answer = client.post("/links", json={"email": f"buyer{i}@example.com"}, environ_base=me)
        assert answer.status_code == 202
    refused = client.post("/links", json={"email": "buyer10@example.com"}, environ_base=me)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.post("/links", json={"email": "x@example.com"}, environ_base=other).status_code
    assert len(published(settings)) == 11


def test_on_the_laptop_x_forwarded_for_is_the_clients_word_and_ignored(
    client: FlaskClient,
) -> None:
    for i in range(10):
        spoofed = {"X-Forwarded-For": f"203.0.113.{i}"}
        client.post("/links", json={"email": f"b{i}@example.com"}, headers=spoofed)
    spoofed = {"X-Forwarded-For": "203.0.113.99"}
    answer = client.post("/links", json={"email": "b99@example.com"}, headers=spoofed)
    assert answer.status_code == 429


def test_on_cloud_run_the_rightmost_forwarded_hop_is_the_client(
    settings: Settings, publisher: LocalPushPublisher
) -> None:
    cloud = settings.with_overrides(
        storage_backend="gcs", publish_backend="pubsub", push_audience="https://worker.test"
    )
    storage = LocalStorage(settings.local_data_dir / "storage", public_url="", signing_key=b"k")
    client = create_app(cloud, publisher=publisher, storage=storage).test_client()
    front_end = {"REMOTE_ADDR": "169.254.1.1"}  # every request arrives from Google's front end
    for i in range(10):
        headers = {"X-Forwarded-For": f"10.0.0.{i}, 198.51.100.7"}  # spoofed, then real
        answer = client.post(
            "/links", json={"email": f"b{i}@example.com"}, headers=headers, environ_base=front_end
        )
        assert answer.status_code == 202
    same_client = {"X-Forwarded-For": "198.51.100.7"}
    other_client = {"X-Forwarded-For": "198.51.100.8"}
    mail = {"email": "late@example.com"}
    assert client.post("/links", json=mail, headers=same_client).status_code == 429
    assert client.post("/links", json=mail, headers=other_client).status_code == 202


def test_a_publish_failure_is_a_503_and_the_form_keeps_the_address(
    client: FlaskClient, publisher: LocalPushPublisher
) -> None:
    shutil.rmtree(publisher.spool)
    publisher.spool.write_text("not a folder")  # the embedded publisher can no longer spool
    answer = client.post("/links", json={"email": "ada@example.com"})
    assert answer.status_code == 503
    assert "try again" in answer.json["error"]
    page = client.post("/links", data={"email": "bob@example.com"})
    assert page.status_code == 503
    assert "try again in a minute" in page.text and 'value="bob@example.com"' in page.text


def test_logs_never_carry_the_full_address(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(4):  # accepted three times, then rate-limited
        client.post("/links", data={"email": "ada.lovelace@example.com"})
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("a***@e***.com" in line for line in lines)
    assert not any("ada.lovelace@example.com" in line for line in lines)
    raw = [str(value) for record in caplog.records for value in record.__dict__.values()]
    assert not any("ada.lovelace@example.com" in value for value in raw)


@pytest.mark.parametrize(
    "text",
    ["ada@example.com", "a.b+tag@mail.example.co.uk", "jürgen@müller.example", "x@a-b.example"],
)
def test_ordinary_addresses_pass_unchanged(text: str) -> None:
    assert parse_address(f" {text}\t") == text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("Ada@Example.COM", "Ada@example.com"), ("zoe@xn--bcher-kva.de", "zoe@bücher.de")],
)
def test_addresses_are_normalised_as_the_order_index_is(typed: str, kept: str) -> None:
    assert parse_address(typed) == kept


def test_bad_address_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="@-sign"):
        parse_address("nobody")
    assert issubclass(BadAddress, ValueError)


def test_the_message_decodes_as_the_contract_says(settings: Settings, client: FlaskClient) -> None:
    client.post("/links", json={"email": "ada@example.com"})
    [path] = dead_letters(settings)
    envelope = json.loads(path.read_text())
    assert envelope["message"]["attributes"]["type"] == "links.requested"
    data = parse_envelope(envelope).message
    assert decode(json.dumps({"type": "links.requested", **data.__dict__}).encode()) == data
