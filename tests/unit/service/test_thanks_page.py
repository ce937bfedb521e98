"""/thanks?ref=…: a real fulfilment through the worker app, then the buyer back from the checkout.

The page finds the order by the reference the checkout put in the success URL
(index/checkouts/<ref>, written by the worker). Unknown and not-yet-stamped look the
same; stamped shows the forms of /d/<token>, and only their POST counts a download.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from common.messages import Buyer, Message, OrderPaid, OrderRevoked, push_envelope
from common.orders import OrderRecord, Status
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from service.app import create_app as create_service
from tests.support.download_page import forms_of
from tests.unit.service.test_downloads import UNREACHABLE_WORKER, counts, local_path
from worker.app import create_app as create_worker

ORDER = "552312-7"  # test_downloads.py's counts() reads this order
REF = "f3Zq9-Lk2_x7Pw0aQe4R"
STRANGER = "Zz9-unknown_ref00000"  # as long as REF: only the echoed reference differs
SUBSCRIPTION = "projects/p/subscriptions/orders-push"


def push(settings: Settings, message: Message) -> int:
    worker = create_worker(settings).test_client()
    envelope = push_envelope(message, f"m-{message.TYPE}", SUBSCRIPTION)
    return worker.post("/pubsub/push", json=envelope).status_code


def sale(ref: str = REF) -> OrderPaid:
    buyer = Buyer("Ada Lovelace", "ada@example.com")
    return OrderPaid(
        ORDER, ("paddle:552312",), "evt-7", "2025-06-15T12:00:00Z", "paddle", "classic", buyer,
        checkout_ref=ref,
    )  # fmt: skip


def stored(settings: Settings) -> OrderRecord:
    folder = settings.local_data_dir / "storage" / settings.delivery_bucket
    return OrderRecord.from_json((folder / f"orders/{ORDER}.json").read_bytes())


@pytest.fixture
def service(settings: Settings) -> Callable[..., FlaskClient]:
    """The service on the same storage; `later` seconds from now on its clock."""

    def build(later: float = 0.0, **changes: object) -> FlaskClient:
        app = create_service(
            settings.with_overrides(**changes) if changes else settings,
            publisher=LocalPushPublisher(
                UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1
            ),
            clock=lambda: time.time() + later,
        )
        return app.test_client()

    return build


@pytest.fixture
def bought(settings: Settings, originals: Path) -> Settings:
    assert push(settings, sale()) == 204
    assert stored(settings).status == Status.MAILED
    return settings


def thanks(client: FlaskClient, ref: str = REF) -> TestResponse:
    return client.get("/thanks", query_string={"ref": ref})


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "has no ref="),
        ("?ref=", "has no ref="),
        ("?ref=cs_short", "shorter than 16 characters"),
        ("?ref=" + "a" * 15, "shorter than 16 characters"),
        ("?ref=../../orders/552312-7", "only letters, digits"),
        ("?ref=%3Cscript%3Ealert(1)%3C/script%3E", "only letters, digits"),
        ("?ref=" + "a" * 129, "128 at most"),
        ("?ref=%F0%9F%93%9A" * 8, "only letters, digits"),
    ],
    ids=["none", "empty", "short", "15", "path", "markup", "long", "emoji"],
)
def test_a_missing_or_unusable_reference_is_400_in_words(
    service: Callable[..., FlaskClient], query: str, says: str
) -> None:
    answer = service().get(f"/thanks{query}")
    assert answer.status_code == 400 and answer.mimetype == "text/html"
    assert says in answer.text
    assert "<script>" not in answer.text and 'href="/links"' in answer.text


def test_an_unknown_reference_says_the_copy_is_being_prepared(
    service: Callable[..., FlaskClient], settings: Settings
) -> None:
    answer = thanks(service(), STRANGER)
    assert answer.status_code == 200
    assert "Your copy is being prepared" in answer.text
    assert f'<meta http-equiv="refresh" content="5; url=/thanks?ref={STRANGER}">' in answer.text
    assert "<script" not in answer.text and forms_of(answer.text) == []
    assert answer.headers["Cache-Control"] == "no-store"
    assert "script-src" not in answer.headers["Content-Security-Policy"]  # none runs


def test_a_sale_not_stamped_yet_looks_exactly_like_an_unknown_reference(
    service: Callable[..., FlaskClient], settings: Settings
) -> None:
    # No originals in storage: the worker records the order and its reference, and
    # cannot stamp yet (Pub/Sub would retry), so the order stays `received`.
    assert push(settings, sale()) != 204
    assert stored(settings).status == Status.RECEIVED
    client = service()
    known, unknown = thanks(client, REF), thanks(client, STRANGER)
    assert known.status_code == unknown.status_code == 200
    assert known.data.replace(REF.encode(), b"REF") == unknown.data.replace(
        STRANGER.encode(), b"REF"
    )
    headers = [
        sorted((k, v) for k, v in a.headers.items() if k != "Date") for a in (known, unknown)
    ]
    assert headers[0] == headers[1]


def test_once_stamped_the_page_holds_the_download_forms_and_counts_nothing(
    bought: Settings, service: Callable[..., FlaskClient]
) -> None:
    client = service()
    for _ in range(3):  # the buyer reloads; a browser prefetches; a HEAD
        page = thanks(client)
        assert client.head("/thanks", query_string={"ref": REF}).status_code == 200
    assert page.status_code == 200 and "Your copy is ready" in page.text
    pdf, epub = forms_of(page.text)  # one per file, as on /d/<token>
    assert (pdf.method, pdf.buttons, set(pdf.fields)) == ("post", ["Download"], {"form"})
    assert pdf.action.startswith("/d/") and epub.action.startswith("/d/")
    assert "5 of 5 downloads left" in " ".join(page.text.split())
    assert counts(bought) == (0, 0)


def test_the_download_button_counts_one_and_serves_the_copy(
    bought: Settings, service: Callable[..., FlaskClient]
) -> None:
    client = service()
    pdf, _epub = forms_of(thanks(client).text)
    answer = client.post(pdf.action, data=pdf.fields)
    assert answer.status_code == 303
    download = client.get(local_path(answer.headers["Location"]))
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert counts(bought) == (1, 0)
    assert "4 of 5 downloads left" in " ".join(thanks(client).text.split())


def test_after_thanks_ttl_the_page_points_to_links(
    bought: Settings, service: Callable[..., FlaskClient]
) -> None:
    late = thanks(service(later=bought.thanks_ttl + 60))
    assert late.status_code == 200
    assert forms_of(late.text) == [] and "/d/" not in late.text
    assert 'href="/links"' in late.text and "24 hours after your purchase" in late.text
    assert len(forms_of(thanks(service(later=3600, thanks_ttl=7200)).text)) == 2


def test_a_refunded_order_is_410_and_points_to_links(
    bought: Settings, service: Callable[..., FlaskClient]
) -> None:
    assert push(bought, OrderRevoked(ORDER, "evt-r", "2025-06-16T00:00:00Z", "refund")) == 204
    answer = thanks(service())
    assert answer.status_code == 410 and "refunded" in answer.text
    assert 'href="/links"' in answer.text and forms_of(answer.text) == []
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_client_is_limited_to_30_pages_a_minute(service: Callable[..., FlaskClient]) -> None:
    client = service()
    answers = [thanks(client, STRANGER).status_code for _ in range(31)]
    assert answers == [200] * 30 + [429]
    limited = thanks(client, STRANGER)
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Too many requests" in limited.text
    other = client.get(
        "/thanks", environ_base={"REMOTE_ADDR": "192.0.2.7"}, query_string={"ref": REF}
    )
    assert other.status_code == 200  # by client: another address is not held up
