"""The buyer pages of an order sold under an imprint show its name, address, colour and logo.

A real order through the worker (stamped, mailed to the outbox), then the service's
/d/<token>, /thanks and /verify of it, and the imprint's own stylesheet. /links has no
order yet: it stays under SHOP_NAME.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.messages import Buyer, OrderPaid
from service.app import create_app as create_service
from tests.support.imprints import (
    ACCENT,
    LOGO,
    NAME,
    SENDER,
    SLUG,
    SUPPORT,
    imprint_catalog,
    logo_png,
)
from tests.support.shop import Shop
from worker.mail._outbox import download_links

DOMAINS = ("example.com", "heldout.example")
REF = "cs_test_imprint_0123456789"


@pytest.fixture
def imprinted(shop: Shop, tmp_path: Path) -> Shop:
    """The shop under the imprint (logo in the source bucket), one order of it stamped."""
    logo = shop.original() / LOGO
    logo.parent.mkdir(parents=True, exist_ok=True)
    logo.write_bytes(logo_png())
    catalog = imprint_catalog(tmp_path / "imprint.toml", logo=True)
    under = shop.restarted(catalog=str(catalog), mail_domains=DOMAINS)
    message = OrderPaid(
        "552312-held",
        ("paddle:552312",),
        "evt-held",
        "2026-01-01T00:00:00Z",
        "paddle",
        "classic",
        Buyer("Ada Lovelace", "ada@example.com"),
        checkout_ref=REF,
    )
    assert under.publisher.publish(message) and not under.publisher.unhandled
    return under


@pytest.fixture
def client(imprinted: Shop) -> FlaskClient:
    return create_service(imprinted.settings, publisher=imprinted.publisher).test_client()


def token_of(shop: Shop) -> str:
    link, _epub = download_links(shop.mails()[-1])
    return link.rsplit("/d/", 1)[1]


def assert_under_the_imprint(html: str) -> None:
    assert '<header><a href="/links"><img class="logo" src="data:image/png;base64,' in html
    assert f">{NAME}</a></header>" in html
    assert f'href="mailto:{SUPPORT}"' in html
    [href] = re.findall(r'<link rel="stylesheet" href="(/imprints/[^"]+)">', html)
    assert href.startswith(f"/imprints/{SLUG}.css?v=")
    assert "exlibris" not in html.split("<main>")[0]  # not SHOP_NAME in the title or header
    assert " style=" not in html and "<style" not in html  # the CSP allows neither


def test_the_download_page_is_under_the_imprint(imprinted: Shop, client: FlaskClient) -> None:
    page = client.get(f"/d/{token_of(imprinted)}")
    assert page.status_code == 200
    assert_under_the_imprint(page.text)
    assert f'<strong class="sender">{SENDER[1]}</strong>' in page.text  # Kindle: its sender


def test_the_logo_is_the_pictures_bytes_as_a_data_url(imprinted: Shop, client: FlaskClient) -> None:
    page = client.get(f"/d/{token_of(imprinted)}").text
    [data] = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(data) == logo_png()


def test_the_thanks_page_is_under_the_imprint(client: FlaskClient) -> None:
    page = client.get("/thanks", query_string={"ref": REF})
    assert page.status_code == 200
    assert_under_the_imprint(page.text)


def test_the_verify_page_is_under_the_imprint(imprinted: Shop, client: FlaskClient) -> None:
    code = imprinted.record("552312-held").code
    page = client.get("/verify", query_string={"code": code})
    assert page.status_code == 200
    assert_under_the_imprint(page.text)
    assert f"This copy was issued by {NAME}" in page.text
    answer = client.get(
        "/verify", query_string={"code": code}, headers={"Accept": "application/json"}
    )
    assert answer.json["imprint"] == SLUG


def test_the_links_page_stays_under_the_shops_name(client: FlaskClient) -> None:
    page = client.get("/links").text
    assert ">exlibris</a></header>" in page and NAME not in page
    assert "/imprints/" not in page and "data:image" not in page


def test_the_imprints_stylesheet_holds_its_colour_cached_long(
    imprinted: Shop, client: FlaskClient
) -> None:
    href = re.findall(r'href="(/imprints/[^"]+)"', client.get(f"/d/{token_of(imprinted)}").text)[0]
    sheet = client.get(href)
    assert sheet.status_code == 200
    assert sheet.mimetype == "text/css"
    assert sheet.text == f":root {{ --accent: {ACCENT}; --on-accent: #ffffff; }}\n"
    assert sheet.cache_control.max_age == 365 * 24 * 3600 and sheet.cache_control.public
    assert sheet.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("slug", ["no-such-imprint", "..%2Fsite", "HELD-OUT"])
def test_an_unknown_imprints_stylesheet_is_a_404(client: FlaskClient, slug: str) -> None:
    answer = client.get(f"/imprints/{slug}.css")
    assert answer.status_code == 404
    assert answer.is_json and "--accent" not in answer.text


def test_a_logo_too_big_stops_start_up_naming_the_imprint(imprinted: Shop) -> None:
    (imprinted.original() / LOGO).write_bytes(logo_png(side=400) + bytes(70_000))
    with pytest.raises(ValueError, match=rf"^imprints\.{SLUG}\.logo: .* over 65536"):
        create_service(imprinted.settings, publisher=imprinted.publisher)
