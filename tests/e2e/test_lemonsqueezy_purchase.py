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

from demo.stack import free_port, running_stack
from tests.conftest import STAMP_SECRET
from tests.e2e.conftest import DEPLOYER, LiveStack
from tests.support.cloud_run_frontend import cloud_run_frontend
from tests.support.download_page import download
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer
from tests.support.lemonsqueezy_payloads import (
    SECRET,
    lemonsqueezy_catalog,
    order_created,
    signed_request,
)
from tests.support.paddle_payloads import rsa_test_key
from worker.mail._outbox import download_links, read_mail


@pytest.fixture
def lemonsqueezy_live(
    tmp_path: Path, sample_book: bytes, sample_epub: bytes
) -> Iterator[LiveStack]:
    """Both apps selling through Lemon Squeezy only, the worker behind its front end."""
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    (originals / "practical-python.epub").write_bytes(sample_epub)
    env = {
        "CATALOG": str(lemonsqueezy_catalog(tmp_path)),
        "LEMONSQUEEZY_WEBHOOK_SECRET": f"lsq-retired-secret-000000,{SECRET}",  # mid-rotation
        "LEMONSQUEEZY_ALLOW_TEST": "true",
        "STAMP_SECRET": STAMP_SECRET,
    }
    worker_port = free_port()
    with cloud_run_frontend(
        f"http://127.0.0.1:{worker_port}",
        GoogleIssuer(),
        invokers=(PUSH_ACCOUNT, DEPLOYER),
        push_account=PUSH_ACCOUNT,
    ) as front:
        env |= {
            "PUSH_AUTH": "cloud-run",
            "PUSH_AUDIENCE": front.url,
            "PUSH_SERVICE_ACCOUNT": PUSH_ACCOUNT,
            "WORKER_PUSH_URL": f"{front.url}/pubsub/push",
        }
        with running_stack(data_dir, worker_port=worker_port, extra_env=env) as stack:
            yield LiveStack(stack, data_dir, rsa_test_key(), front)


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
