"""A WooCommerce sale posted over HTTP to both apps under gunicorn delivers one mail.

The stack is tests/e2e/conftest.py's (the worker private behind the Cloud Run
front-end stand-in), started with WOOCOMMERCE_WEBHOOK_SECRET and a catalog that
sells the sample book as WooCommerce product 93, both through the environment
the apps read (demo/stack.py passes it on).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import LiveStack, serving
from tests.support.woocommerce_payloads import SECRET, delivery, order, ping, write_catalog
from worker.mail._outbox import download_links, read_mail


@pytest.fixture
def woo(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    env = {
        "CATALOG": str(write_catalog(tmp_path)),
        "WOOCOMMERCE_WEBHOOK_SECRET": SECRET,
    }
    with serving(tmp_path, sample_book, sample_epub, env) as live:
        yield live


def test_a_woocommerce_sale_mails_one_stamped_copy(woo: LiveStack) -> None:
    url = f"{woo.url}/webhooks/woocommerce"
    body, headers = ping(12)
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200

    body, headers = delivery(order(lines=[(315, 93, 0)]), topic="order.created")
    for _ in range(2):  # order.created, then the same order again: one mail
        answer = requests.post(url, data=body, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not woo.mails():
        time.sleep(0.1)
    woo.settle()
    time.sleep(1.0)  # give a wrongly duplicated delivery the chance to show up
    [mail] = woo.mails()
    message = read_mail(mail)
    assert message["To"].addresses[0].addr_spec == "john.doe@example.com"
    link, _epub = download_links(message)
    assert requests.get(link, timeout=10).status_code == 200
