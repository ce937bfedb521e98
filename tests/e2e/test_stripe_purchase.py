"""A signed Stripe sale posted over HTTP to both apps under gunicorn becomes one mail.

The secret, the API key and the API's address reach the apps through the stack's
environment (demo/stack.py), as they would on Cloud Run; the worker lists the
session's line items from a stand-in of Stripe's API on loopback, through its
real requests client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests

from demo.stack import Stack, running_stack
from tests.conftest import STAMP_SECRET
from tests.support.stripe_payloads import event, session, stripe_request
from tests.support.stripe_standin import API_KEY, StripeStandIn
from worker.mail._outbox import download_links, read_mail

SECRET = "whsec_exlibris_e2e_secret_0000000000000000"
PRICE, PRODUCT = "price_1E2EPracticalPython00000", "prod_E2EPracticalPython"
SESSION = "cs_test_e2e1PracticalPythonSession000000000000000000000000000000"
CATALOG = f"""
[products.practical-python]
ids = ["stripe:{PRICE}"]
title = "Practical Python Projects"
files = [{{ source = "practical-python.pdf", stamp = true, skip_pages = 1 }}]
"""


@pytest.fixture
def stack(tmp_path: Path, sample_book: bytes) -> Iterator[tuple[Stack, Path, StripeStandIn]]:
    data_dir = tmp_path / "var"
    originals = data_dir / "storage" / "exlibris-originals"
    originals.mkdir(parents=True)
    (originals / "practical-python.pdf").write_bytes(sample_book)
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG)
    with StripeStandIn() as api:
        assert isinstance(api, StripeStandIn)
        api.add_session(SESSION, [(PRICE, PRODUCT)])
        env = {
            "CATALOG": str(catalog),
            "STAMP_SECRET": STAMP_SECRET,
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "STRIPE_API_KEY": API_KEY,
            "STRIPE_API_URL": api.url,
        }
        with running_stack(data_dir, extra_env=env) as running:
            yield running, data_dir, api


def sell(running: Stack, data_dir: Path, checkout: dict[str, Any]) -> EmailMessage:
    """Post a signed checkout.session.completed for `checkout`; the one mail it produces."""
    payload = event("checkout.session.completed", checkout)
    body, headers = stripe_request(payload, SECRET, int(time.time()))
    url = f"{running.service_url}/webhooks/stripe"
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
    outbox = data_dir / "outbox"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(outbox.glob("*.eml")):
        time.sleep(0.1)
    [mail] = sorted(outbox.glob("*.eml"))
    return read_mail(mail)


def test_a_signed_stripe_sale_mails_one_link_that_downloads(stack) -> None:
    running, data_dir, api = stack
    message = sell(running, data_dir, session(SESSION, payment_intent="pi_3E2E"))
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    [link] = download_links(message)
    assert requests.get(link, timeout=10).status_code == 200
    assert [r.headers["authorization"] for r in api.requests] == [f"Bearer {API_KEY}"]


def test_a_stripe_order_with_locale_fr_gets_its_mail_in_french(stack) -> None:
    """Issue 23: the store's locale for the buyer, through the webhook and the worker."""
    running, data_dir, api = stack
    french = SESSION.replace("e2e1", "e2fr")
    api.add_session(french, [(PRICE, PRODUCT)])
    message = sell(running, data_dir, session(french, locale="fr"))
    assert message["Subject"] == "Votre exemplaire de Practical Python Projects est prêt"
    assert message["Content-Language"] == "fr"
    html = message.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="fr" dir="ltr">' in html.get_content()
    [link] = download_links(message)
    assert requests.get(link, timeout=10).status_code == 200
