"""A signed purchase becomes exactly one mail whose links download a stamped copy."""

from __future__ import annotations

import io
import time

import pikepdf
import pypdf
import pytest
import requests

from stamping.epub.tracing import trace_epub
from tests.conftest import WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack
from tests.support.download_page import download, form_for
from tests.support.paddle_payloads import (
    billing_request,
    billing_transaction_completed,
    classic_fulfilment,
    classic_payment_succeeded,
    signed_form,
)
from worker.mail._outbox import download_links, read_mail

PRICE = "pri_01demopracticalpython00000"
PRODUCT = "pro_01demopracticalpython00000"


def post_billing(live: LiveStack, payload: dict) -> requests.Response:
    body, headers = billing_request(payload, WEBHOOK_SECRET, int(time.time()))
    return requests.post(f"{live.url}/webhooks/paddle", data=body, headers=headers, timeout=10)


def post_classic(live: LiveStack, fields: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{live.url}/webhooks/paddle-classic",
        data=signed_form(fields, live.classic_key),
        timeout=10,
    )


def wait_for_mails(live: LiveStack, count: int, timeout: float = 60.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(live.mails()) < count:
        time.sleep(0.1)
    live.settle()
    return live.mails()


def outline_and_links(data: bytes) -> tuple[int, int]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as outline:
        items = 0
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            items += 1
            stack.extend(item.children)
        links = sum(
            1
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if annot.get("/Subtype") == "/Link"
        )
    return items, links


def page_text(data: bytes, index: int) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[index].extract_text()


def assert_personal_copy(data: bytes, original: bytes, name: str, email: str) -> None:
    assert data.startswith(b"%PDF")
    assert email in page_text(data, 1) and name in page_text(data, 1)
    assert email not in page_text(data, 0), "the cover must stay clean"
    assert outline_and_links(data) == outline_and_links(original)


def test_classic_purchase_mails_one_stamped_copy(live: LiveStack, sample_book: bytes) -> None:
    fields = classic_fulfilment(
        order_id="9001-1",
        product_id="552312",
        email="ada@example.com",
        customer_name="Ada Lovelace",
    )
    response = post_classic(live, fields)
    assert response.status_code == 200, response.text

    mails = wait_for_mails(live, 1)
    assert len(mails) == 1
    message = read_mail(mails[0])
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    link, epub_link = download_links(read_mail(mails[0]))  # the product: a PDF and an EPUB
    copy = download(link)
    assert copy.status_code == 200
    assert "attachment" in copy.headers["Content-Disposition"]
    assert_personal_copy(copy.content, sample_book, "Ada Lovelace", "ada@example.com")
    epub = download(epub_link)
    assert epub.status_code == 200
    assert '.epub"' in epub.headers["Content-Disposition"]
    assert trace_epub(epub.content).order_id == "9001-1"


def test_billing_purchase_mails_the_customer_from_the_lookup(
    live: LiveStack, sample_book: bytes
) -> None:
    payload = billing_transaction_completed(
        "txn_01e2ebilling0000000000000", "ctm_01e2ebuyer00000000000000", [PRICE], [PRODUCT]
    )
    assert post_billing(live, payload).status_code == 200

    [mail] = wait_for_mails(live, 1)
    buyer = read_mail(mail)["To"].addresses[0]
    link, _epub = download_links(read_mail(mail))
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "Download" in page.text
    form = form_for(page.text, link.split(live.url, 1)[1])
    first = requests.post(link, data=form.fields, allow_redirects=False, timeout=10)
    assert first.status_code == 303
    copy = requests.get(first.headers["Location"], timeout=30).content
    assert_personal_copy(copy, sample_book, buyer.display_name, buyer.addr_spec)


def test_the_same_webhook_twice_sends_one_mail(live: LiveStack) -> None:
    fields = classic_payment_succeeded(order_id="9002-1", product_id="552312")
    assert post_classic(live, fields).status_code == 200
    assert post_classic(live, fields).status_code == 200

    wait_for_mails(live, 1)
    time.sleep(1.0)  # give a wrongly duplicated delivery the chance to show up
    live.settle()
    assert len(live.mails()) == 1


@pytest.mark.parametrize("header", [None, "ts=1;h1=00", "garbage"])
def test_a_bad_signature_is_refused_and_nothing_is_published(
    live: LiveStack, header: str | None
) -> None:
    body, headers = billing_request(billing_transaction_completed(), WEBHOOK_SECRET, 0)
    headers.pop("Paddle-Signature")
    if header is not None:
        headers["Paddle-Signature"] = header
    response = requests.post(f"{live.url}/webhooks/paddle", data=body, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]
    assert not any((live.data_dir / "spool").glob("*"))
    assert live.mails() == []
