"""Durable links: a real fulfilment through the worker, then a buyer (and scanners) at the link.

GET and HEAD /d/<token> answer a download page and count nothing; only the
page's POST counts one download and answers 303 to a short-lived /_local URL
(embedded storage). 403 when the token is not ours or the form was not posted
from the page; 410 when the link expired, the order or the file was refunded,
or the file was downloaded DOWNLOAD_LIMIT times; 202 "being prepared" when the
bucket's lifecycle rule deleted the copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from common.codes import LinkClaim, derive_key, make_token
from common.messages import Buyer, CopyRequested, OrderPaid, OrderRevoked, PaidItem, push_envelope
from common.orders import OrderRecord, read_counts
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from common.stats import count_names
from common.storage import LocalStorage, TransientStorageError
from service.app import create_app as create_service
from tests.support.download_page import form_for, forms_of
from tests.support.inprocess import PushToWorker
from worker.app import create_app as create_worker
from worker.customers import OfflineCustomers
from worker.mail._outbox import download_links, plain_text, read_mail

NOW = 1_750_000_000.0
ORDER = "552312-7"
SUBSCRIPTION = "projects/p/subscriptions/orders-push"
UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"
# What gateways send when they open every link of a mail before the buyer does
# (check.live-direct-marketing.online, "Bot clicks from security scanners": Safe Links
# leaks MSOffice or an empty User-Agent, Barracuda names itself; Gmail's proxy).
SCANNERS = [
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "",
    "Barracuda Sentinel (EE)",
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
]


def purchase(settings: Settings, buyer: Buyer) -> str:
    """Fulfil one Classic order through the worker app; the token of its mailed link."""
    worker = create_worker(settings, clock=lambda: NOW).test_client()
    message = OrderPaid(
        ORDER, ("paddle:552312",), "evt-7", "2025-06-15T12:00:00Z", "paddle", "classic", buyer
    )
    assert (
        worker.post("/pubsub/push", json=push_envelope(message, "m-1", SUBSCRIPTION)).status_code
        == 204
    )
    [path] = (settings.local_data_dir / "outbox").glob("*.eml")
    link, _epub = download_links(read_mail(path))  # the sample product: a PDF and an EPUB
    return link.rsplit("/d/", 1)[1]


def refund(settings: Settings) -> None:
    worker = create_worker(settings).test_client()
    message = OrderRevoked(ORDER, "evt-r", "2025-06-16T00:00:00Z", "refund")
    assert (
        worker.post("/pubsub/push", json=push_envelope(message, "m-2", SUBSCRIPTION)).status_code
        == 204
    )


def storage_of(settings: Settings) -> LocalStorage:
    """The embedded storage both apps build from these settings."""
    return LocalStorage(
        settings.local_data_dir / "storage",
        public_url=settings.public_url,
        signing_key=derive_key(settings.stamp_secret, "local-url"),
    )


def stored_record(settings: Settings) -> OrderRecord:
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / f"orders/{ORDER}.json"
    return OrderRecord.from_json(path.read_bytes())


def counts(settings: Settings) -> tuple[int, ...]:
    record = stored_record(settings)
    return read_counts(storage_of(settings), settings.delivery_bucket, ORDER, len(record.files))


def local_path(location: str) -> str:
    """The path and query of a /_local URL, for the test client."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def token(settings: Settings, originals: Path) -> str:
    return purchase(settings, Buyer("Ada Lovelace", "ada@example.com"))


@pytest.fixture
def service(settings: Settings) -> Callable[..., FlaskClient]:
    """The service app on the same storage, with its clock and settings adjustable."""

    def build(clock: float = NOW, **changes: object) -> FlaskClient:
        app = create_service(
            settings.with_overrides(**changes) if changes else settings,
            publisher=LocalPushPublisher(
                UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1
            ),
            clock=lambda: clock,
        )
        return app.test_client()

    return build


def click(client: FlaskClient, token: str, **headers: str) -> TestResponse:
    """What the Download button does: GET the page, post its form back."""
    page = client.get(f"/d/{token}")
    assert page.status_code == 200, page.text
    form = form_for(page.text, f"/d/{token}")
    return client.post(form.action, data=form.fields, headers=headers)


def fetch(client: FlaskClient, token: str) -> TestResponse:
    """Click, then follow the 303 to the short-lived URL."""
    answer = click(client, token)
    assert answer.status_code == 303, answer.text
    return client.get(local_path(answer.headers["Location"]))


def test_the_link_opens_a_page_that_says_what_and_how_often(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    page = service().get(f"/d/{token}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = " ".join(page.text.split())
    assert "Practical Python Projects" in text
    assert "practical-python.pdf" in text
    size = stored_record(settings).files[0].size
    assert re.search(rf"{round(size / 1000)} kB|{size / 1e6:.1f} MB".replace(".", r"\."), text)
    assert "5 of 5 downloads left" in text
    assert "until 15 July 2025" in text
    form, _epub = forms_of(page.text)  # one button per file of the order
    assert (form.method, form.action, form.buttons) == ("post", f"/d/{token}", ["Download"])
    assert set(form.fields) == {"form"}
    assert "<script" not in page.text
    assert counts(settings) == (0, 0)


def test_scanners_opening_the_link_use_up_nothing(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    for agent in SCANNERS[:3]:
        assert client.head(f"/d/{token}", headers={"User-Agent": agent}).status_code == 200
    for agent in SCANNERS[1:]:
        assert client.get(f"/d/{token}", headers={"User-Agent": agent}).status_code == 200
    assert counts(settings) == (0, 0)
    form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
    limit = settings.download_limit
    answers = [client.post(f"/d/{token}", data=form.fields).status_code for _ in range(limit + 1)]
    assert answers == [303] * limit + [410]
    assert counts(settings) == (limit, 0)


def test_the_download_button_serves_the_copy_through_a_short_lived_url(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    answer = click(client, token)
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith(
        f"http://127.0.0.1:8080/_local/{settings.delivery_bucket}/copies/{ORDER}/00-practical-python.pdf?"
    )
    query = parse_qs(urlsplit(location).query)
    assert query["filename"] == ["Practical Python Projects - Ada Lovelace.pdf"]

    download = client.get(local_path(location))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Practical Python Projects - Ada Lovelace.pdf"'
    )
    copy = settings.local_data_dir / "storage" / settings.delivery_bucket / "copies" / ORDER
    assert download.data == (copy / "00-practical-python.pdf").read_bytes()
    assert download.data.startswith(b"%PDF-")
    assert counts(settings) == (1, 0)
    page = " ".join(client.get(f"/d/{token}").text.split())
    assert "4 of 5 downloads left" in page


@pytest.mark.parametrize(
    "name",
    ['Zoë "Z" O/Brien', "Ada\x00Lovelace", "Eve\r\nBcc: x@evil.example"],
    ids=["unsafe-characters", "nul", "crlf"],
)
def test_any_buyer_name_gets_a_safe_filename(
    settings: Settings, originals: Path, service: Callable[..., FlaskClient], name: str
) -> None:
    token = purchase(settings, Buyer(name, "zoe@example.com"))
    download = fetch(service(), token)
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\x00" not in disposition and "\r" not in disposition and "\n" not in disposition


def test_a_name_with_unsafe_characters_keeps_its_letters(
    settings: Settings, originals: Path, service: Callable[..., FlaskClient]
) -> None:
    token = purchase(settings, Buyer('Zoë "Z" O/Brien', "zoe@example.com"))
    disposition = fetch(service(), token).headers["Content-Disposition"]
    assert (
        "filename*=UTF-8''Practical%20Python%20Projects%20-%20Zo%C3%AB%20Z%20O%20Brien.pdf"
        in disposition
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.split(".")[0],
        lambda t: "x" + t,
        lambda t: make_token("someone-elses-secret", LinkClaim(ORDER, 0, 2_000_000_000)),
        lambda t: t + "==",
        lambda t: t.replace(".", "==.", 1),
    ],
    ids=["signature", "no-signature", "payload", "other-secret", "padded", "padded-body"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_token_is_403_with_an_html_page(
    token: str, service: Callable[..., FlaskClient], settings: Settings, tamper, method: str
) -> None:
    response = service().open(f"/d/{tamper(token)}", method=method, data={"form": "x"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "This download link is not valid" in response.text
    assert counts(settings) == (0, 0)


def forged(client: FlaskClient, token: str, other: str) -> dict[str, str]:
    """The signed field of another link's page."""
    return form_for(client.get(f"/d/{other}").text, f"/d/{other}").fields


@pytest.mark.parametrize(
    ("fields", "headers"),
    [
        ("none", {}),
        ("garbage", {}),
        ("another link's", {}),
        ("page", {"Origin": "https://evil.example"}),
        ("page", {"Sec-Fetch-Site": "cross-site"}),
        ("page", {"Sec-Fetch-Site": "same-site"}),
    ],
    ids=[
        "no-field",
        "garbage-field",
        "field-of-another-link",
        "other-origin",
        "cross-site",
        "same-site-subdomain",
    ],
)
def test_a_post_not_made_from_the_page_counts_nothing(
    token: str, service: Callable[..., FlaskClient], settings: Settings, fields: str, headers: dict
) -> None:
    client = service()
    other = make_token(settings.stamp_secret, LinkClaim(ORDER, 0, int(NOW) + 999))
    data = {
        "none": {},
        "garbage": {"form": "1750000000.AAAA"},
        "another link's": forged(client, token, other),
        "page": form_for(client.get(f"/d/{token}").text, f"/d/{token}").fields,
    }[fields]
    response = client.post(f"/d/{token}", data=data, headers=headers)
    assert response.status_code == 403
    assert "press Download on this page" in " ".join(response.text.split())
    assert forms_of(response.text)  # the page again, with a fresh button
    assert counts(settings) == (0, 0)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": "null"}, {"Origin": "http://localhost"}, {"Sec-Fetch-Site": "same-origin"}],
    ids=["no-origin", "null-origin (no-referrer)", "own-origin", "same-origin"],
)
def test_the_page_s_own_post_counts(
    token: str, service: Callable[..., FlaskClient], headers: dict[str, str]
) -> None:
    assert click(service(), token, **headers).status_code == 303


def test_a_page_left_open_for_days_asks_for_one_more_press(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    form = form_for(service().get(f"/d/{token}").text, f"/d/{token}")
    later = service(clock=NOW + 3 * 86400)
    response = later.post(f"/d/{token}", data=form.fields)
    assert response.status_code == 403
    assert counts(settings) == (0, 0)
    assert click(later, token).status_code == 303


@pytest.mark.parametrize(("offset", "status"), [(-1, 200), (0, 200), (1, 410), (365 * 86400, 410)])
def test_a_link_expires_after_link_ttl(
    token: str,
    service: Callable[..., FlaskClient],
    settings: Settings,
    offset: int,
    status: int,
) -> None:
    client = service(clock=NOW + settings.link_ttl + offset)
    response = client.get(f"/d/{token}")
    assert response.status_code == status
    assert client.post(f"/d/{token}", data={"form": "x"}).status_code == (
        403 if status == 200 else 410
    )
    if status == 410:
        page = response.text
        assert "This download link no longer works" in page
        assert "expired" in page
        assert 'href="/links"' in page
        assert counts(settings) == (0, 0)


def test_downloads_over_the_limit_are_410(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(download_limit=3)
    assert [click(client, token).status_code for _ in range(3)] == [303, 303, 303]
    page = client.get(f"/d/{token}")
    assert page.status_code == 410
    assert "downloaded 3 times" in page.text and 'href="/links"' in page.text
    assert client.post(f"/d/{token}", data={"form": "x"}).status_code == 410
    assert counts(settings) == (3, 0)


def test_a_download_limit_of_zero_means_no_limit(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(download_limit=0)
    assert {click(client, token).status_code for _ in range(12)} == {303}
    assert counts(settings) == (12, 0)
    assert "No download limit" in " ".join(client.get(f"/d/{token}").text.split())


def test_a_refunded_order_is_410(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    assert click(client, token).status_code == 303
    refund(settings)
    response = client.get(f"/d/{token}")
    assert response.status_code == 410
    assert "refunded" in response.text and 'href="/links"' in response.text
    assert client.post(f"/d/{token}", data={"form": "x"}).status_code == 410


@pytest.mark.parametrize(
    "claim",
    [LinkClaim(ORDER, 2, 2_000_000_000), LinkClaim("552312-999", 0, 2_000_000_000)],
    ids=["no-such-file", "no-such-order"],
)
def test_a_genuine_token_for_nothing_is_410(
    token: str, service: Callable[..., FlaskClient], settings: Settings, claim: LinkClaim
) -> None:
    response = service().get(f"/d/{make_token(settings.stamp_secret, claim)}")
    assert response.status_code == 410
    assert "no such file" in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature", "0" * 64),
        ("filename", "Someone Else.pdf"),
        ("expires", "9999999999"),
    ],
)
def test_a_local_url_with_a_bad_signature_is_403(
    token: str, service: Callable[..., FlaskClient], field: str, value: str
) -> None:
    client = service()
    location = click(client, token).headers["Location"]
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {field: value}
    response = client.get(parts.path, query_string=query)
    assert response.status_code == 403
    assert "invalid or has expired" in response.json["error"]


def test_a_local_url_signature_does_not_open_another_object(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    query = urlsplit(click(client, token).headers["Location"]).query
    response = client.get(f"/_local/{settings.delivery_bucket}/orders/{ORDER}.json?{query}")
    assert response.status_code == 403


def test_an_expired_local_url_is_403(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    name = f"copies/{ORDER}/00-practical-python.pdf"
    expired = storage_of(settings).signed_url(
        settings.delivery_bucket, name, ttl=-5, filename="book.pdf"
    )
    fresh = storage_of(settings).signed_url(
        settings.delivery_bucket, name, ttl=60, filename="book.pdf"
    )
    client = service()
    assert client.get(local_path(fresh)).status_code == 200  # same signer, still valid
    response = client.get(local_path(expired))
    assert response.status_code == 403
    assert "invalid or has expired" in response.json["error"]


class SigningOutage(LocalStorage):
    """The folder store with signBlob down: signing fails, everything else works."""

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        raise TransientStorageError("iamcredentials.signBlob: 503")


def test_a_signing_outage_is_503_and_costs_the_buyer_no_download(
    token: str, settings: Settings
) -> None:
    base = storage_of(settings)
    outage = SigningOutage(base.root, public_url=settings.public_url, signing_key=b"unused")
    app = create_service(
        settings,
        storage=outage,
        publisher=LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1),
        clock=lambda: NOW,
    )
    client = app.test_client()
    for _ in range(3):
        response = click(client, token)
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert b"reload this page" in response.data
    assert counts(settings) == (0, 0)
    form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
    as_json = client.post(f"/d/{token}", data=form.fields, headers={"Accept": "application/json"})
    assert as_json.status_code == 503 and "try again" in as_json.json["error"]


class TestCopyDeletedByTheLifecycleRule:
    def copy(self, settings: Settings) -> Path:
        bucket = settings.local_data_dir / "storage" / settings.delivery_bucket
        return bucket / stored_record(settings).files[0].object_name

    def test_the_button_asks_for_a_new_copy_and_the_page_waits_for_it(
        self, token: str, settings: Settings
    ) -> None:
        self.copy(settings).unlink()
        worker = create_worker(settings, clock=lambda: NOW).test_client()
        publisher = PushToWorker(worker)
        client = create_service(settings, publisher=publisher, clock=lambda: NOW).test_client()
        answer = click(client, token)
        assert answer.status_code == 202
        text = " ".join(answer.text.split())
        assert "Your copy is being prepared" in text and "this page refreshes" in text
        assert f'<meta http-equiv="refresh" content="5; url=/d/{token}?preparing=1">' in answer.text
        assert "<script" not in answer.text
        [asked] = publisher.messages
        assert asked == CopyRequested(ORDER, 0, asked.request_id, asked.occurred_at)
        assert counts(settings) == (0, 0)  # nothing was handed out

        assert publisher.statuses == [204]  # the worker stamped it again
        ready = client.get(f"/d/{token}?preparing=1")
        assert ready.status_code == 200 and "Your copy is ready" in ready.text
        assert fetch(client, token).data.startswith(b"%PDF-")
        assert counts(settings) == (1, 0)

    def test_while_the_copy_is_made_the_page_keeps_refreshing(
        self, token: str, settings: Settings
    ) -> None:
        self.copy(settings).unlink()
        publisher = LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1)
        client = create_service(settings, publisher=publisher, clock=lambda: NOW).test_client()
        assert click(client, token).status_code == 202  # no worker answers: still missing
        waiting = client.get(f"/d/{token}?preparing=1")
        assert waiting.status_code == 200
        assert 'http-equiv="refresh"' in waiting.text
        assert publisher.wait_idle(10)
        [letter] = settings.local_data_dir.joinpath("dead-letter").glob("*.json")
        assert "copy.requested" in letter.read_text()
        assert counts(settings) == (0, 0)


CATALOG = """
[products.two]
paddle_ids = ["pri_two"]
title = "Two Files"
files = [{ source = "practical-python.pdf", stamp = true }, { source = "notes.pdf" }]
"""


class TestAnOrderOfSeveralFiles:
    @pytest.fixture
    def two(self, settings: Settings, originals: Path, tmp_path: Path) -> Settings:
        (tmp_path / "two.toml").write_text(CATALOG)
        (originals / "notes.pdf").write_bytes((originals / "practical-python.pdf").read_bytes())
        two = settings.with_overrides(catalog=str(tmp_path / "two.toml"))
        worker = create_worker(two, customers=OfflineCustomers(), clock=lambda: NOW).test_client()
        paid = OrderPaid(
            ORDER,
            ("paddle:pri_two",),
            "e",
            "2025-06-15T12:00:00Z",
            "paddle",
            "billing",
            customer_id="ctm_1",
            items=(PaidItem("txnitm_1", ("paddle:pri_two",)),),
        )
        assert (
            worker.post("/pubsub/push", json=push_envelope(paid, "m", SUBSCRIPTION)).status_code
            == 204
        )
        return two

    def tokens(self, settings: Settings) -> list[str]:
        [path] = (settings.local_data_dir / "outbox").glob("*.eml")
        words = plain_text(read_mail(path)).split()
        return [w.rsplit("/d/", 1)[1] for w in words if "/d/" in w]

    def test_one_page_lists_every_file_each_with_its_own_count(self, two: Settings) -> None:
        first, second = self.tokens(two)
        client = create_service(
            two,
            publisher=LocalPushPublisher(UNREACHABLE_WORKER, two.local_data_dir, max_attempts=1),
            clock=lambda: NOW,
        ).test_client()
        assert click(client, first).status_code == 303
        assert click(client, first).status_code == 303
        page = client.get(f"/d/{second}")
        forms = forms_of(page.text)
        assert [f.action for f in forms] == [f"/d/{first}", f"/d/{second}"]
        text = " ".join(page.text.split())
        assert "practical-python.pdf" in text and "notes.pdf" in text
        assert "3 of 5 downloads left" in text and "5 of 5 downloads left" in text
        assert read_counts(storage_of(two), two.delivery_bucket, ORDER, 2) == (2, 0)

    def test_a_file_a_partial_refund_took_is_410_and_listed_as_refunded(
        self, two: Settings
    ) -> None:
        first, second = self.tokens(two)
        path = two.local_data_dir / "storage" / two.delivery_bucket / f"orders/{ORDER}.json"
        record = OrderRecord.from_json(path.read_bytes())
        path.write_bytes(record.files_revoked((1,), reason="refund", at="t").to_json())
        client = create_service(
            two,
            publisher=LocalPushPublisher(UNREACHABLE_WORKER, two.local_data_dir, max_attempts=1),
            clock=lambda: NOW,
        ).test_client()
        gone = client.get(f"/d/{second}")
        assert gone.status_code == 410 and "refunded" in gone.text
        page = client.get(f"/d/{first}")
        assert [f.action for f in forms_of(page.text)] == [f"/d/{first}"]
        assert "refunded" in page.text
        assert click(client, first).status_code == 303


def test_a_link_that_expires_past_year_9999_opens_its_page(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    far = make_token(settings.stamp_secret, LinkClaim(ORDER, 0, 10**12))
    response = service().get(f"/d/{far}")
    assert response.status_code == 200
    assert "a date far ahead" in response.text


def test_each_counted_download_is_marked_once_for_the_overview(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(download_limit=2)
    form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")  # a look counts nothing
    answers = [client.post(f"/d/{token}", data=form.fields).status_code for _ in range(3)]
    assert answers == [303, 303, 410]
    day = datetime.fromtimestamp(NOW, UTC).date()
    names = storage_of(settings).list(settings.delivery_bucket, f"stats/{day.isoformat()}/")
    assert count_names(names)["downloaded"] == {"": 2}
    # The sale's own markers share the day: the worker's clock is NOW too.
    assert [n for n in names if "/downloaded/" in n] == [
        f"stats/{day.isoformat()}/downloaded/{ORDER}.0.1",
        f"stats/{day.isoformat()}/downloaded/{ORDER}.0.2",
    ]
