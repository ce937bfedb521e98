"""Send to Kindle in a real browser with JavaScript off: the form, a refusal, the mail.

A real Classic purchase goes through the stack under gunicorn; Chromium opens the
mailed EPUB link, reads the sender address to approve at Amazon, sends to an address
that is not a Kindle's (the page answers 400 in words, counting nothing), then to a
Kindle address: the page says what happens next and the outbox holds the mail with the
stamped EPUB. Screenshot kindle.png: the EPUB's card on the page with its Kindle form,
before sending. To regenerate it:
`SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_kindle_form.py`.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import Tab
from tests.browser.test_buyer_pages import assert_clean_load
from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import post_classic, wait_for_mails
from tests.support.paddle_payloads import classic_fulfilment
from worker.mail._outbox import download_links, read_mail

KINDLE = "ada_lovelace_1815@kindle.com"


def text_of(tab: Tab, selector: str = "main") -> str:
    return " ".join(tab.page.inner_text(selector).split())


def test_chromium_sends_the_epub_to_a_kindle_address(
    live: LiveStack, tab: Tab, screenshots: Path
) -> None:
    fields = classic_fulfilment(order_id="9301-1", email="ada@example.com", customer_name="Ada")
    assert post_classic(live, fields).status_code == 200
    [mail] = wait_for_mails(live, 1)
    _pdf, epub_link = download_links(read_mail(mail))
    page = tab.page
    page.goto(epub_link)
    section = page.locator("section.kindle")
    assert section.count() == 1  # the EPUB's; the PDF has none
    said = " ".join(section.inner_text().split())
    assert "books@example.com" in said and "Approved Personal Document E-mail List" in said
    assert "Apple Books" in text_of(tab) and "Kobo" in text_of(tab)
    card = page.locator("li.file").filter(has=section)  # the EPUB's card: its two buttons
    card.screenshot(path=str(screenshots / "kindle.png"))
    assert (screenshots / "kindle.png").read_bytes().startswith(b"\x89PNG")
    assert_clean_load(tab)

    page.get_by_label("Your Kindle's e-mail address").fill("ada@example.com")
    page.get_by_role("button", name="Send practical-python.epub to Kindle").click()
    assert "@kindle.com" in text_of(tab, "p.notice")
    assert "5 of 5 downloads left" in text_of(tab)  # the refusal counted nothing
    assert len(live.mails()) == 1

    page.get_by_label("Your Kindle's e-mail address").fill(KINDLE)
    page.get_by_role("button", name="Send practical-python.epub to Kindle").click()
    notice = text_of(tab, "p.notice")
    assert f"Sent to {KINDLE}" in notice and "within a few minutes" in notice
    assert "4 of 5 downloads left" in text_of(tab)
    assert_clean_load(tab)
    [_delivery, kindle] = wait_for_mails(live, 2)
    message = read_mail(kindle)
    assert [a.addr_spec for a in message["To"].addresses] == [KINDLE]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/epub+zip"
