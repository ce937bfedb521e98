"""A signed Shopify sale, posted over HTTP to both apps under gunicorn, mails one stamped copy.

The stack is tests/e2e/conftest.py's (private worker behind the Cloud Run front
end), with SHOPIFY_WEBHOOK_SECRET and a catalog selling the sample book as a
Shopify variant set through the environment, as Cloud Run would set them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack, serving
from tests.e2e.test_purchase import assert_personal_copy, wait_for_mails
from tests.support.download_page import download
from tests.support.shopify_payloads import ORDER_ID, orders_paid, shopify_catalog, shopify_request
from worker.mail._outbox import download_links, read_mail

SECRETS = "shpss_e2e-old-secret,shpss_e2e-current-secret"  # mid-rotation: both are accepted
CURRENT = "shpss_e2e-current-secret"


@pytest.fixture
def shopify_live(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    env = {
        "CATALOG": str(shopify_catalog(tmp_path)),
        "SHOPIFY_WEBHOOK_SECRET": SECRETS,
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    with serving(tmp_path, sample_book, sample_epub, env) as live:
        yield live


def test_a_shopify_sale_mails_one_stamped_copy(shopify_live: LiveStack, sample_book: bytes) -> None:
    payload = orders_paid(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    body, headers = shopify_request(payload, CURRENT, lowercase=True)  # as HTTP/2 delivers them
    url = f"{shopify_live.url}/webhooks/shopify"
    response = requests.post(url, data=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200  # retry

    wait_for_mails(shopify_live, 1)
    time.sleep(1.0)  # give a wrongly duplicated delivery the chance to show up
    shopify_live.settle()
    [mail] = shopify_live.mails()
    message = read_mail(mail)
    assert message["X-Exlibris-Order"] == f"shopify-{ORDER_ID}"
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    link, _epub = download_links(message)
    copy = download(link)
    assert copy.status_code == 200
    assert_personal_copy(copy.content, sample_book, "Ada Lovelace", "ada@example.com")
