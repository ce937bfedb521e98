"""The mailed link in a real browser with JavaScript off: the page, the button, the PDF.

A real Classic purchase goes through the stack under gunicorn; Chromium shows
the HTML part of the mail it produced (screenshot mail.png), opens the mailed
link (screenshot download.png), presses Download and receives the stamped
PDF. Opening the page costs no download; the press costs one, and the page it answers
already says so (issue 23 §4: it used to say "5 of 5" until reloaded).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import requests

from tests.browser.conftest import Tab
from tests.browser.test_buyer_pages import assert_clean_load, shoot
from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import post_classic, wait_for_mails
from tests.support.paddle_payloads import classic_fulfilment
from worker.mail._outbox import download_links, read_mail

BUYER, NAME, ORDER = "ada@example.com", "Ada Lovelace", "9201-1"


def html_of(mail: Path) -> str:
    body = read_mail(mail).get_body(preferencelist=("html",))
    assert body is not None
    html: str = body.get_content()
    return html


def test_chromium_opens_the_mailed_link_presses_download_and_gets_the_pdf(
    live: LiveStack, tab: Tab, screenshots: Path, tmp_path: Path
) -> None:
    fields = classic_fulfilment(order_id=ORDER, email=BUYER, customer_name=NAME)
    assert post_classic(live, fields).status_code == 200
    [mail] = wait_for_mails(live, 1)
    link, _epub = download_links(read_mail(mail))  # the sample product: a PDF and an EPUB
    page = tab.page

    page.set_content(html_of(mail))
    assert page.get_by_role("link", name="practical-python.pdf").get_attribute("href") == link
    assert "can be downloaded 5 times" in " ".join(page.inner_text("body").split())
    shoot(tab, screenshots, "mail.png")

    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Practical Python Projects"
    body = " ".join(page.inner_text("main").split())
    assert "practical-python.pdf" in body and "5 of 5 downloads left" in body
    assert re.search(r"until \d{1,2} \w+ \d{4}", body)
    shoot(tab, screenshots, "download.png")
    assert_clean_load(tab)

    with page.expect_download() as pressed:
        page.get_by_role("button", name="Download practical-python.pdf").click()
    download = pressed.value
    assert download.suggested_filename == f"Practical Python Projects - {NAME}.pdf"
    saved = tmp_path / "copy.pdf"
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    assert NAME in pypdf.PdfReader(io.BytesIO(data)).pages[1].extract_text()
    # the press answered the page itself, counted, and fetched the file by its meta refresh
    after = " ".join(page.inner_text("main").split())
    assert "Your download has started." in after and "4 of 5 downloads left" in after
    assert_clean_load(tab)

    page.goto(link)
    assert "4 of 5 downloads left" in " ".join(page.inner_text("main").split())
    assert requests.head(link, timeout=10).status_code == 200  # a scanner's HEAD: still 4
    page.reload()
    assert "4 of 5 downloads left" in " ".join(page.inner_text("main").split())
