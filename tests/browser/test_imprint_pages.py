"""An order under an imprint in a real browser: its colour and logo load under the strict CSP.

The real stack (gunicorn, embedded storage, outbox) sells the sample book under the
imprint Held Out Press, with a logo in the source bucket. The download page must load
the imprint's stylesheet (GET /imprints/<slug>.css), draw its button in the imprint's
colour and show its logo from a data: URL, with no console error and no failed asset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Tab
from tests.browser.test_buyer_pages import assert_clean_load, buy, shoot
from tests.e2e.conftest import LiveStack
from tests.support.imprints import ACCENT, NAME, SLUG
from worker.mail._outbox import download_links, read_mail


def rgb(color: str) -> str:
    """#rrggbb as the browser's computed style writes it."""
    red, green, blue = (int(color[n : n + 2], 16) for n in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_an_imprints_page_loads_its_colour_and_logo_under_the_csp(
    imprinted: LiveStack, tab: Tab, chromium: Any, screenshots: Path
) -> None:
    link, _epub = download_links(read_mail(buy(imprinted)))
    page = tab.page
    with page.expect_response(lambda r: f"/imprints/{SLUG}.css" in r.url) as sheet:
        page.goto(link)
    assert sheet.value.status == 200
    assert page.locator("header").inner_text().strip() == NAME
    logo = page.locator("header img.logo")
    assert logo.get_attribute("src").startswith("data:image/png;base64,")
    shoot(tab, screenshots, "download-imprint.png")
    assert_clean_load(tab)
    assert tab.console_errors == []
    # The drawn colour, read with script on in a tab of its own (the pages run none).
    context = chromium.new_context(viewport={"width": 412, "height": 640})
    try:
        scripted = context.new_page()
        scripted.goto(link)
        button = scripted.get_by_role("button", name="Download").first
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == rgb(ACCENT)
        assert button.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
        width = scripted.locator("header img.logo").evaluate("i => i.naturalWidth")
        assert width == 32  # the logo decoded: a picture, not a broken image
    finally:
        context.close()
