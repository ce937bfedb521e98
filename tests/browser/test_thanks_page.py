"""The checkout's return page in Chromium with JavaScript off, against the real stack.

The buyer lands on /thanks?ref=… before the webhook: the page must reload itself
(a meta refresh, which the strict CSP allows and no script needs) until the copy is
stamped, then offer the Download button of the mailed links. Nobody opens the mail.
"""

from __future__ import annotations

import time
from pathlib import Path

import requests

from demo.sales import SALES
from tests.browser.conftest import Tab
from tests.browser.test_buyer_pages import assert_clean_load, shoot
from tests.conftest import WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack


def test_the_page_waits_for_the_copy_by_itself_then_downloads_it(
    live: LiveStack, tab: Tab, screenshots: Path, tmp_path: Path
) -> None:
    sale = SALES["paddle"](WEBHOOK_SECRET)  # Paddle.js customData: {exlibris_ref: …}
    page = tab.page
    page.goto(f"{live.url}/thanks?ref={sale.ref}")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Thank you! Your copy is being prepared"
    shoot(tab, screenshots, "thanks-preparing.png")

    time.sleep(1)  # the buyer arrived first; the store's webhook follows
    headers = {"Content-Type": "application/json", **sale.headers}
    posted = requests.post(
        f"{live.url}/webhooks/paddle", data=sale.body, headers=headers, timeout=10
    )
    assert posted.status_code == 200

    button = page.get_by_role("button", name="Download practical-python.pdf")
    button.wait_for(timeout=90_000)  # reloaded by its meta refresh, no script, no click
    assert heading.inner_text() == "Practical Python Projects"
    main = " ".join(page.inner_text("main").split())
    assert "Your copy is ready" in main and "5 of 5 downloads left" in main
    shoot(tab, screenshots, "thanks.png")
    assert_clean_load(tab)

    with page.expect_download() as pressed:
        button.click()
    saved = tmp_path / "copy.pdf"
    pressed.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    page.goto(f"{live.url}/thanks?ref={sale.ref}")
    assert "4 of 5 downloads left" in " ".join(page.inner_text("main").split())
