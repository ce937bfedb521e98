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

from demo.stack import free_port, running_stack
from tests.conftest import STAMP_SECRET
from tests.e2e.conftest import DEPLOYER, LiveStack
from tests.support.cloud_run_frontend import cloud_run_frontend
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer
from tests.support.paddle_payloads import rsa_test_key
from tests.support.woocommerce_payloads import SECRET, delivery, order, ping, write_catalog
from worker.mail._outbox import download_links, read_mail


@pytest.fixture
def woo(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    (originals / "practical-python.epub").write_bytes(sample_epub)
    env = {
        "CATALOG": str(write_catalog(tmp_path)),
        "WOOCOMMERCE_WEBHOOK_SECRET": SECRET,
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
