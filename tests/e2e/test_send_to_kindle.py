"""Send to Kindle over HTTP: a buyer mails the EPUB to their Kindle from the download page.

Both apps under gunicorn, the worker behind the Cloud Run front-end stand-in. The buyer
opens the mailed EPUB link, types a Kindle address into the page's Send to Kindle form
and presses the button; the outbox then holds one mail to that address only, with the
stamped EPUB attached (traced back to the order), and one download is counted. A
non-Kindle address gets 400 and nothing is counted or mailed.
"""

from __future__ import annotations

import re

import requests

from stamping.epub.tracing import trace_epub
from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import post_classic, wait_for_mails
from tests.support.download_page import kindle_forms
from tests.support.paddle_payloads import classic_fulfilment
from worker.mail._outbox import download_links, read_mail

KINDLE = "ada_lovelace_1815@kindle.com"


def left(page: str) -> list[str]:
    return re.findall(r"(\d+) of 5 downloads left", " ".join(page.split()))


def test_the_buyer_sends_the_epub_to_a_kindle_address(live: LiveStack) -> None:
    fields = classic_fulfilment(
        order_id="9002-1", product_id="552312", email="ada@example.com", customer_name="Ada"
    )
    assert post_classic(live, fields).status_code == 200
    [delivery] = wait_for_mails(live, 1)
    _pdf_link, epub_link = download_links(read_mail(delivery))
    http = requests.Session()
    page = http.get(epub_link, timeout=10)
    assert page.status_code == 200 and "books@example.com" in page.text  # the sender to approve
    [form] = kindle_forms(page.text)

    refused = http.post(
        f"{live.url}{form.action}", data={**form.fields, "kindle_email": "ada@example.com"}
    )
    assert refused.status_code == 400 and "@kindle.com" in refused.text
    assert left(refused.text) == ["5", "5"]

    sent = http.post(f"{live.url}{form.action}", data={**form.fields, "kindle_email": KINDLE})
    assert sent.status_code == 200 and f"Sent to {KINDLE}" in sent.text
    assert left(sent.text) == ["5", "4"]
    mails = wait_for_mails(live, 2)
    assert len(mails) == 2
    message = read_mail(mails[1])
    assert [a.addr_spec for a in message["To"].addresses] == [KINDLE]
    assert message["Cc"] is None and message["Bcc"] is None
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/epub+zip"
    copy = attachment.get_content()
    assert trace_epub(copy).order_id == "9002-1"
    stored = live.data_dir / "storage" / "exlibris-deliveries" / "copies" / "9002-1"
    [epub_copy] = stored.glob("*.epub")
    assert copy == epub_copy.read_bytes()
