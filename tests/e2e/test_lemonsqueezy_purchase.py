"""A signed Lemon Squeezy sale posted over HTTP to both apps under gunicorn: one mail.

The stack is the e2e tier's (tests/e2e/conftest.py: the worker private behind the
Cloud Run front-end stand-in), with LEMONSQUEEZY_WEBHOOK_SECRET and a catalog of
Lemon Squeezy ids in the apps' environment, as `running_stack` hands it to gunicorn.
The sale is posted twice, as Lemon Squeezy retries a delivery it saw fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import LiveStack, serving
from tests.support.download_page import download
from tests.support.lemonsqueezy_payloads import (
    SECRET,
    lemonsqueezy_catalog,
    order_created,
    signed_request,
)
from worker.mail._outbox import download_links, read_mail


@pytest.fixture
def lemonsqueezy_live(
    tmp_path: Path, sample_book: bytes, sample_epub: bytes
) -> Iterator[LiveStack]:
    """Both apps selling through Lemon Squeezy only, the worker behind its front end."""
    env = {
        "CATALOG": str(lemonsqueezy_catalog(tmp_path)),
        "LEMONSQUEEZY_WEBHOOK_SECRET": f"lsq-retired-secret-000000,{SECRET}",  # mid-rotation
        "LEMONSQUEEZY_ALLOW_TEST": "true",
    }
    with serving(tmp_path, sample_book, sample_epub, env) as live:
        yield live


def test_a_lemonsqueezy_sale_mails_one_stamped_copy(lemonsqueezy_live: LiveStack) -> None:
    live = lemonsqueezy_live
    ref = {"exlibris_ref": "chk-7d1c0f3a9b2e4c58"}  # what a checkout page passes; not read yet
    body, headers = signed_request(order_created("5540021", test_mode=True, custom_data=ref))
    url = f"{live.url}/webhooks/lemonsqueezy"
    for _ in range(2):  # the delivery and Lemon Squeezy's retry of it
        response = requests.post(url, data=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not live.mails():
        time.sleep(0.1)
    live.settle()
    time.sleep(1.0)  # give a wrongly duplicated delivery the chance to show up
    live.settle()
    [path] = live.mails()
    mail = read_mail(path)
    assert mail["X-Exlibris-Order"] == "lemonsqueezy-5540021"
    assert mail["To"].addresses[0].addr_spec == "ada@example.com"
    copy = download(download_links(mail)[0])
    assert copy.status_code == 200 and copy.content.startswith(b"%PDF")
