"""Durable links: a real fulfilment through the worker, then clicks on the mailed link.

/d/<token> answers 303 to a short-lived /_local URL (embedded storage), 403 when
the token is not ours, 410 when it expired, the order was refunded or the file
was downloaded DOWNLOAD_LIMIT times.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from common.contract import Buyer, OrderPaid, OrderRevoked, push_envelope
from common.download_counts import read_counts
from common.keys import derive_key
from common.link_tokens import LinkClaim, make_token
from common.orders import OrderRecord
from common.settings import Settings
from common.storage import TransientStorageError
from common.storage.local import LocalStorage
from service.app import create_app as create_service
from service.publish.local_push import LocalPushPublisher
from worker.app import create_app as create_worker
from worker.mail.outbox import plain_text, read_mail

NOW = 1_750_000_000.0
ORDER = "552312-7"
SUBSCRIPTION = "projects/p/subscriptions/orders-push"
UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"


def purchase(settings: Settings, buyer: Buyer) -> str:
    """Fulfil one Classic order through the worker app; the token of its first link (the PDF)."""
    worker = create_worker(settings, clock=lambda: NOW).test_client()
    message = OrderPaid(ORDER, ("552312",), "evt-7", "2025-06-15T12:00:00Z", "classic", buyer)
    assert (
        worker.post("/pubsub/push", json=push_envelope(message, "m-1", SUBSCRIPTION)).status_code
        == 204
    )
    [path] = (settings.local_data_dir / "outbox").glob("*.eml")
    pdf, _epub = [word for word in plain_text(read_mail(path)).split() if "/d/" in word]
    return pdf.rsplit("/d/", 1)[1]


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
            publisher=LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, attempts=1),
            clock=lambda: clock,
        )
        return app.test_client()

    return build


def test_a_click_redirects_to_a_short_lived_url_that_serves_the_copy(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    response = client.get(f"/d/{token}")
    assert response.status_code == 303
    location = response.headers["Location"]
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
    assert counts(settings) == (1, 0)  # the EPUB's count is its own


def test_a_buyer_name_with_unsafe_characters_gets_a_safe_filename(
    settings: Settings, originals: Path, service: Callable[..., FlaskClient]
) -> None:
    token = purchase(settings, Buyer('Zoë "Z" O/Brien', "zoe@example.com"))
    client = service()
    location = client.get(f"/d/{token}").headers["Location"]
    download = client.get(local_path(location))
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
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
    ],
    ids=["signature", "no-signature", "payload", "other-secret"],
)
def test_a_tampered_token_is_403_with_an_html_page(
    token: str, service: Callable[..., FlaskClient], settings: Settings, tamper
) -> None:
    response = service().get(f"/d/{tamper(token)}")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "This download link is not valid" in response.get_data(as_text=True)
    assert counts(settings) == (0, 0)


@pytest.mark.parametrize(("offset", "status"), [(-1, 303), (0, 303), (1, 410), (365 * 86400, 410)])
def test_a_link_expires_after_link_ttl(
    token: str,
    service: Callable[..., FlaskClient],
    settings: Settings,
    offset: int,
    status: int,
) -> None:
    response = service(clock=NOW + settings.link_ttl + offset).get(f"/d/{token}")
    assert response.status_code == status
    if status == 410:
        page = response.get_data(as_text=True)
        assert "This download link no longer works" in page
        assert "expired" in page
        assert 'href="/links"' in page
        assert counts(settings) == (0, 0)


def test_downloads_over_the_limit_are_410(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(download_limit=3)
    assert [client.get(f"/d/{token}").status_code for _ in range(3)] == [303, 303, 303]
    response = client.get(f"/d/{token}")
    assert response.status_code == 410
    assert "downloaded 3 times" in response.get_data(as_text=True)
    assert counts(settings) == (3, 0)


def test_the_default_limit_is_five(token: str, service: Callable[..., FlaskClient]) -> None:
    client = service()
    statuses = [client.get(f"/d/{token}").status_code for _ in range(6)]
    assert statuses == [303] * 5 + [410]


def test_a_download_limit_of_zero_means_no_limit(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service(download_limit=0)
    assert {client.get(f"/d/{token}").status_code for _ in range(12)} == {303}
    assert counts(settings) == (12, 0)


def test_a_refunded_order_is_410(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    assert client.get(f"/d/{token}").status_code == 303
    refund(settings)
    response = client.get(f"/d/{token}")
    assert response.status_code == 410
    assert "refunded" in response.get_data(as_text=True)


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
    assert "no such file" in response.get_data(as_text=True)


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
    location = client.get(f"/d/{token}").headers["Location"]
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {field: value}
    response = client.get(parts.path, query_string=query)
    assert response.status_code == 403
    assert "invalid or has expired" in response.json["error"]


def test_a_local_url_signature_does_not_open_another_object(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    query = urlsplit(client.get(f"/d/{token}").headers["Location"]).query
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
        publisher=LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, attempts=1),
        clock=lambda: NOW,
    )
    client = app.test_client()
    for _ in range(3):
        response = client.get(f"/d/{token}")
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert b"reload this page" in response.data
    assert counts(settings) == (0, 0)
    as_json = client.get(f"/d/{token}", headers={"Accept": "application/json"})
    assert as_json.status_code == 503 and "try again" in as_json.json["error"]
