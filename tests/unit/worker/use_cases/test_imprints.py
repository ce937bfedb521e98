"""Orders under an imprint are mailed from it: webhook -> service -> worker -> outbox."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.imprints import ACCENT, NAME, SENDER, SLUG, SUPPORT, imprint_catalog
from tests.support.paddle_payloads import billing_transaction_completed
from tests.support.shop import Shop
from worker.mail._outbox import plain_text

PRODUCT, PRICE = "pro_01demopracticalpython00000", "pri_01demopracticalpython00000"
DOMAINS = ("example.com", "heldout.example")


@pytest.fixture
def imprinted(shop: Shop, tmp_path: Path) -> Shop:
    """The shop with its one product sold under the imprint Held Out Press."""
    catalog = imprint_catalog(tmp_path / "imprint.toml")
    return shop.restarted(catalog=str(catalog), mail_domains=DOMAINS)


def html_part(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def test_a_product_under_an_imprint_is_mailed_from_the_imprints_name_and_address(
    imprinted: Shop,
) -> None:
    payload = billing_transaction_completed("txn_01imprint", "ctm_1", [PRICE], [PRODUCT])
    assert imprinted.webhook(payload) == 200
    [mail] = imprinted.mails()
    assert mail["From"] == f"{SENDER[0]} <{SENDER[1]}>"
    assert mail["From"].addresses[0].addr_spec == SENDER[1]
    text = plain_text(mail)
    assert f"Write to {SUPPORT}." in text
    assert text.rstrip().splitlines()[-1] == NAME  # signed by the imprint, not SHOP_NAME
    assert f"background: {ACCENT}; color: #ffffff" in html_part(mail)  # the accent, readable
    assert imprinted.record("txn_01imprint").imprint == SLUG


def test_the_shops_own_orders_stay_under_the_shops_name(shop: Shop) -> None:
    shop.buy("552312-plain")
    [mail] = shop.mails()
    assert mail["From"].addresses[0].addr_spec == "books@example.com"
    assert "background: #1a56db" in html_part(mail)
    assert shop.record("552312-plain").imprint == ""


def test_the_recorded_imprint_stands_when_the_catalog_moves_the_product(
    imprinted: Shop, tmp_path: Path
) -> None:
    imprinted.buy("552312-held")
    moved = tmp_path / "moved.toml"
    moved.write_text(
        Path(imprinted.settings.catalog).read_text().replace(f'imprint = "{SLUG}"\n', ""),
        encoding="utf-8",
    )
    plain = imprinted.restarted(catalog=str(moved))
    assert plain.console("resend", "552312-held").status == 0
    resent = plain.mails()[-1]
    assert resent["From"].addresses[0].addr_spec == SENDER[1]  # the imprint it was sold under


def test_an_order_of_before_imprints_follows_the_catalog(shop: Shop, tmp_path: Path) -> None:
    shop.buy("552312-old")
    assert shop.record("552312-old").imprint == ""
    catalog = imprint_catalog(tmp_path / "imprint.toml")
    later = shop.restarted(catalog=str(catalog), mail_domains=DOMAINS)
    assert later.console("resend", "552312-old").status == 0
    assert later.mails()[-1]["From"].addresses[0].addr_spec == SENDER[1]


def exlibris_page(shop: Shop, order_id: str) -> tuple[str, str]:
    """The ex-libris page of the order's stamped EPUB, and its stylesheet."""
    [epub] = [f for f in shop.record(order_id).files if f.filename.endswith(".epub")]
    copy = shop.storage.read(shop.settings.delivery_bucket, epub.object_name).data
    with zipfile.ZipFile(io.BytesIO(copy)) as book:
        page = next(n for n in book.namelist() if n.endswith("exlibris.xhtml"))
        css = next(n for n in book.namelist() if n.endswith("exlibris.css"))
        return book.read(page).decode(), book.read(css).decode()


def test_the_ex_libris_page_names_the_imprint_in_its_colour(imprinted: Shop) -> None:
    imprinted.buy("552312-plate")
    page, css = exlibris_page(imprinted, "552312-plate")
    assert f'<p class="exlibris-seller"><bdi>{NAME}</bdi></p>' in page
    assert f".exlibris-plate {{ border-color: {ACCENT}; }}" in css


def test_the_shops_own_ex_libris_page_names_no_imprint(shop: Shop) -> None:
    shop.buy("552312-plain-plate")
    page, css = exlibris_page(shop, "552312-plain-plate")
    assert "exlibris-seller" not in page
    assert "border-color" not in css
