"""The author's dashboard in Chromium, against the real stack, with JavaScript off.

A Classic purchase goes through the service and the worker; then the author,
in the dashboard (DASHBOARD_AUTH=local on loopback), sees the overview's
charts, finds the order, re-sends
its links (a second mail reaches the outbox), uploads the stamped copy the
mail's link downloads to "Who leaked this?" (the right order is named, its
marks authentic), and revokes it from there (the link then answers 410).
Screenshots of the order and "Who leaked this?" go where `screenshots` says:
`SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_dashboard.py`
refreshes the ones the README shows. The overview's, after one sale, is a single
bar: it stays in tmp_path, and the README's comes from tools/render_overview.py
(ten weeks of sales).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.test_buyer_pages import BUYER, NAME, ORDER, buy
from tests.conftest import SAMPLE_CATALOG, WEBHOOK_SECRET
from tests.e2e.conftest import CLASSIC_KEY, LiveStack, serving
from tests.e2e.test_purchase import wait_for_mails
from tests.support.download_page import download
from tests.support.paddle_payloads import public_pem
from worker.mail._outbox import download_links, read_mail

DESKTOP = {"width": 1100, "height": 800}


@pytest.fixture
def live(tmp_path: Path, sample_book: bytes, sample_epub: bytes) -> Iterator[LiveStack]:
    """The e2e stack (Paddle Classic and Billing) with the dashboard beside it."""
    pem = tmp_path / "paddle-classic.pub"
    pem.write_text(public_pem(CLASSIC_KEY))
    env = {
        "CATALOG": str(SAMPLE_CATALOG),
        "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PADDLE_PUBLIC_KEY": str(pem),
        "SHOP_NAME": "Practical Books",
    }
    with serving(tmp_path, sample_book, sample_epub, env, dashboard=True) as stack:
        yield stack


@pytest.fixture
def desk(chromium: Any) -> Iterator[Any]:
    """A desktop-sized tab with JavaScript off: the dashboard needs none."""
    context = chromium.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.csp_errors = errors
    yield page
    context.close()


def answers(url: str, status: int, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(url, timeout=10, allow_redirects=False).status_code == status:
            return True
        time.sleep(0.2)
    return False


def test_resend_trace_and_revoke_in_the_dashboard(
    live: LiveStack, desk: Any, screenshots: Path, tmp_path: Path
) -> None:
    mail = buy(live)
    dashboard = live.stack.dashboard_url
    desk.goto(dashboard)
    assert desk.locator("figure.chart svg").count() >= 4  # sales, deliveries, per day and week
    desk.screenshot(path=str(tmp_path / "dashboard-overview.png"))  # one bar: not the README's
    desk.goto(f"{dashboard}/orders")
    assert ORDER in desk.inner_text("table")
    assert BUYER not in desk.content()  # masked until asked
    desk.click(f"text={ORDER}")
    desk.click("text=show buyer")
    assert NAME in desk.inner_text("dl.facts")
    desk.screenshot(path=str(screenshots / "dashboard-order.png"), full_page=True)

    desk.click("button:has-text('Re-send the links')")
    assert "Re-send requested" in desk.inner_text("p.note")
    assert len(wait_for_mails(live, 2)) == 2
    resent = read_mail(live.mails()[-1])
    assert resent["X-Exlibris-Order"] == ORDER

    link, _epub = download_links(read_mail(mail))
    found = tmp_path / "found-on-a-pirate-site.pdf"
    found.write_bytes(download(link).content)
    desk.click("text=Who leaked this?")
    desk.set_input_files("input[type=file]", str(found))
    desk.click("button:has-text('Trace it')")
    finding = desk.inner_text("section.finding")
    assert f"Order {ORDER}" in finding and "authentic" in finding
    desk.screenshot(path=str(screenshots / "dashboard-trace.png"), full_page=True)

    desk.click(f"button:has-text('Revoke order {ORDER}')")
    assert "Revocation requested" in desk.inner_text("p.note")
    assert answers(link, 410), "the revoked order's link still serves the book"
    assert not [e for e in desk.csp_errors if "Content Security Policy" in e], desk.csp_errors
