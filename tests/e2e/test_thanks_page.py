"""The checkout's return page over HTTP: a sale downloaded from /thanks?ref=… without any mail.

Both apps under gunicorn, the worker behind the Cloud Run front-end stand-in; each
store's sale is the one `make demo MERCHANT=…` posts (demo/sales.py), carrying the
reference its checkout returns the buyer with: Paddle's exlibris_ref in custom_data,
Stripe's Checkout Session id. The test never opens the outbox: it waits for the order
record, as a buyer would wait on the page, then presses the page's Download button.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from demo.sales import DEMO_SECRETS, SALES, Sale
from tests.conftest import SAMPLE_CATALOG, WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack, serving
from tests.support.download_page import forms_of

SECRETS = {"paddle": WEBHOOK_SECRET, "stripe": DEMO_SECRETS["STRIPE_WEBHOOK_SECRET"]}


@pytest.fixture
def live(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    """The stack selling the sample book through Paddle Billing and Stripe (offline lookups)."""
    env = {
        "CATALOG": str(SAMPLE_CATALOG),
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_WEBHOOK_SECRET": SECRETS["stripe"],
    }
    with serving(tmp_path, sample_book, sample_epub, env) as stack:
        yield stack


def thanks(live: LiveStack, ref: str, http: requests.Session) -> requests.Response:
    return http.get(f"{live.url}/thanks", params={"ref": ref}, timeout=10)


def wait_until_stamped(live: LiveStack, order_id: str, timeout: float = 90.0) -> None:
    """Wait on the order record in the bucket (the outbox stays unread)."""
    record = live.data_dir / "storage" / "exlibris-deliveries" / "orders" / f"{order_id}.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if record.exists() and json.loads(record.read_text())["status"] != "received":
            return
        time.sleep(0.2)
    raise TimeoutError(f"{order_id} was not stamped in {timeout:.0f} s")


def left(page: requests.Response) -> list[str]:
    return re.findall(r"(\d+) of 5 downloads left", " ".join(page.text.split()))


@pytest.mark.parametrize("store", ["paddle", "stripe"])
def test_a_sale_is_downloaded_from_the_thank_you_page(live: LiveStack, store: str) -> None:
    sale: Sale = SALES[store](SECRETS[store])
    assert len(sale.ref) >= 16
    http = requests.Session()
    early = thanks(live, sale.ref, http)  # the buyer often arrives before the webhook
    assert early.status_code == 200 and "being prepared" in early.text

    headers = {"Content-Type": "application/json", **sale.headers}
    posted = requests.post(
        f"{live.url}/webhooks/{store}", data=sale.body, headers=headers, timeout=10
    )
    assert posted.status_code == 200, posted.text
    wait_until_stamped(live, sale.order_id)

    page = thanks(live, sale.ref, http)
    assert page.status_code == 200 and "Your copy is ready" in page.text
    assert thanks(live, sale.ref, http).status_code == 200  # a reload
    assert left(page) == ["5", "5"]  # PDF and EPUB; opening the page counted nothing
    pdf, _epub = forms_of(page.text)
    download = http.post(f"{live.url}{pdf.action}", data=pdf.fields, timeout=60)
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert left(thanks(live, sale.ref, http)) == ["4", "5"]  # the POST counted one


def test_an_unknown_reference_looks_like_a_sale_being_prepared(live: LiveStack) -> None:
    http = requests.Session()
    sale = SALES["paddle"](WEBHOOK_SECRET)
    stranger = "Q" * len(sale.ref)
    before = thanks(live, sale.ref, http)  # a real reference, its webhook not in yet
    unknown = thanks(live, stranger, http)
    assert before.status_code == unknown.status_code == 200
    assert before.content.replace(sale.ref.encode(), b"R") == unknown.content.replace(
        stranger.encode(), b"R"
    )
    assert "<form" not in unknown.text and "/d/" not in unknown.text
    short = thanks(live, "cs_test_short", http)
    assert short.status_code == 400 and "shorter than 16 characters" in short.text
