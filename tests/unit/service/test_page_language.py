"""The buyer pages' language: chosen per request, said in <html lang> and Content-Language.

A real fulfilment through the worker, then the buyer's browser at the pages with an
Accept-Language. The order's stored language (the store's locale for the buyer) beats
the browser's on a page about that order; a language we have no catalog for falls to
SHOP_LANGUAGE. JSON answers stay English. After Download, a browser gets the page with
the new count and a refresh to the file (issue 23 §4); anything else still gets the 303.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from common.codes import InvalidCode, InvalidToken, LinkClaim, check_code, make_token, read_token
from common.messages import Buyer, BuyerDataError, kindle_address
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from service.app import create_app as create_service
from service.downloads import INVALID_LINK
from service.kindle_page import NOT_A_KINDLE
from service.verify_page import NOT_A_CODE
from stamping.kindle import LARGEST_BOOK
from tests.conftest import STAMP_SECRET
from tests.support.download_page import form_for, forms_of
from tests.unit.service.test_downloads import (
    NOW,
    ORDER,
    UNREACHABLE_WORKER,
    counts,
    local_path,
    purchase,
    stored_record,
)

# The heading of /links in each language, as a reader of it would write it.
LINKS_HEADING = {
    "en": "Get new download links",
    "de": "Neue Download-Links anfordern",
    "fr": "Obtenir de nouveaux liens de téléchargement",
    "es": "Obtener nuevos enlaces de descarga",
    "it": "Ricevi nuovi link per il download",
    "pt": "Receber novos links de download",
    "nl": "Nieuwe downloadlinks aanvragen",
    "ar": "الحصول على روابط تنزيل جديدة",
}
# What a browser sends for a form submitted to its window (Fetch Metadata).
NAVIGATION = {
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Site": "same-origin",
}


@pytest.fixture
def token(settings: Settings, originals: Path) -> str:
    return purchase(settings, Buyer("Ada Lovelace", "ada@example.com"))


@pytest.fixture
def service(settings: Settings) -> Callable[..., FlaskClient]:
    def build(**changes: object) -> FlaskClient:
        chosen = settings.with_overrides(**changes) if changes else settings
        publisher = LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1)
        return create_service(chosen, publisher=publisher, clock=lambda: NOW).test_client()

    return build


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def html_tag(page: str) -> str:
    tag = re.search(r"<html[^>]*>", page)
    assert tag is not None
    return tag.group(0)


def store_language(settings: Settings, language: str) -> None:
    """What the worker records when the store sent the buyer's locale with the sale."""
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / f"orders/{ORDER}.json"
    path.write_bytes(replace(stored_record(settings), language=language).to_json())


@pytest.mark.parametrize("language", sorted(LINKS_HEADING))
def test_accept_language_chooses_the_pages_language(
    language: str, service: Callable[..., FlaskClient]
) -> None:
    page = service().get("/links", headers={"Accept-Language": f"{language};q=0.9, tlh;q=1"})
    assert page.status_code == 200
    direction = "rtl" if language == "ar" else "ltr"
    assert html_tag(page.text) == f'<html lang="{language}" dir="{direction}">'
    assert f"<h1>{LINKS_HEADING[language]}</h1>" in page.text
    assert page.headers["Content-Language"] == language
    assert "Accept-Language" in page.headers["Vary"]


def test_german_words_on_the_download_page(token: str, service: Callable[..., FlaskClient]) -> None:
    page = service().get(f"/d/{token}", headers={"Accept-Language": "de-CH, en;q=0.5"})
    text = text_of(page.text)
    assert html_tag(page.text) == '<html lang="de" dir="ltr">'
    assert "Noch 5 von 5 Downloads übrig." in text
    assert "Dieser Link funktioniert bis 15. Juli 2025." in text  # Babel's German date
    assert "An Kindle senden" in text and "Meine Inhalte und Geräte" in text
    assert "Herunterladen" in forms_of(page.text)[0].buttons
    assert 'class="notice' not in page.text  # no notice: not the catalog's header either


def test_the_orders_language_beats_the_browsers_on_its_page(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    german = {"Accept-Language": "de"}
    assert 'lang="de"' in html_tag(client.get(f"/d/{token}", headers=german).text)
    store_language(settings, "fr")
    page = client.get(f"/d/{token}", headers=german)
    assert html_tag(page.text) == '<html lang="fr" dir="ltr">'
    assert page.headers["Content-Language"] == "fr"
    assert "Votre exemplaire personnel" in text_of(page.text)
    # a page about no order keeps the browser's language
    assert 'lang="de"' in html_tag(client.get("/links", headers=german).text)


@pytest.mark.parametrize(
    ("shop", "header", "expected"),
    [
        ("nl", "tlh, xx-YY;q=0.8", "nl"),  # none of ours: the shop's language
        ("nl", "", "nl"),
        ("en", "tlh", "en"),
        ("nl", "pt-BR", "pt"),  # one of ours wins over the shop's
        ("it", "de;q=0, ja", "it"),  # q=0: "not German"
    ],
)
def test_an_unknown_language_falls_to_the_shops(
    shop: str, header: str, expected: str, service: Callable[..., FlaskClient]
) -> None:
    page = service(shop_language=shop).get("/verify", headers={"Accept-Language": header})
    assert f'lang="{expected}"' in html_tag(page.text)
    assert page.headers["Content-Language"] == expected


def test_a_hostile_accept_language_is_no_error(service: Callable[..., FlaskClient]) -> None:
    for header in ("x" * 5000, "de;q=nan", ";;;,,,", "\u00e9\u00e9", "de-" + "a" * 300):
        page = service().get("/links", headers={"Accept-Language": header})
        assert page.status_code == 200
        assert page.headers["Content-Language"] in LINKS_HEADING


def test_json_answers_stay_english(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    client = service()
    french = {"Accept-Language": "fr", "Accept": "application/json"}
    forged = client.get("/verify?code=7K3M-Q9TX-2B4F", headers=french)
    assert forged.json["error"] == "this code was not issued by this shop"
    assert "Content-Language" not in forged.headers
    links = client.post("/links", json={"email": ""}, headers=french)
    assert links.json == {"error": "enter the email address you used at checkout"}
    store_language(settings, "fr")
    form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
    for _ in range(settings.download_limit):
        client.post(form.action, data=form.fields)
    used_up = client.get(f"/d/{token}", headers=french)
    assert used_up.status_code == 410
    assert used_up.json["error"].startswith("this file was downloaded 5 times")


def test_the_page_of_a_link_problem_speaks_the_browsers_language(
    service: Callable[..., FlaskClient],
) -> None:
    page = service().get("/d/not-a-token", headers={"Accept-Language": "nl"})
    assert page.status_code == 403
    text = text_of(page.text)
    assert "Deze downloadlink is niet geldig" in text and "Ongeldige link." in text


def test_arabic_counts_take_their_plural_forms(
    token: str, service: Callable[..., FlaskClient]
) -> None:
    client = service(download_limit=2)
    arabic = {"Accept-Language": "ar"}
    page = client.get(f"/d/{token}", headers=arabic)
    assert html_tag(page.text) == '<html lang="ar" dir="rtl">'
    assert "تبقّى تنزيلان من أصل 2." in text_of(page.text)  # the dual
    form = form_for(page.text, f"/d/{token}")
    assert client.post(form.action, data=form.fields).status_code == 303
    assert "تبقّى تنزيل واحد من أصل 2." in text_of(client.get(f"/d/{token}", headers=arabic).text)
    many = service(download_limit=12).get(f"/d/{token}", headers=arabic)
    assert "تبقّى 11 تنزيلًا من أصل 12." in text_of(many.text)  # 11 to 99: the "many" form


def test_the_too_large_reason_is_phrased_in_the_pages_language(
    token: str, service: Callable[..., FlaskClient], settings: Settings
) -> None:
    record = stored_record(settings)
    files = list(record.files)
    files[1] = replace(files[1], size=LARGEST_BOOK + 3)
    path = settings.local_data_dir / "storage" / settings.delivery_bucket / f"orders/{ORDER}.json"
    path.write_bytes(replace(record, files=tuple(files)).to_json())
    page = service().get(f"/d/{token}", headers={"Accept-Language": "fr"})
    text = text_of(page.text)
    assert "est trop volumineux pour être envoyé à un Kindle" in text
    assert "30 Mo au plus (Amazon 50 Mo)" in text  # Babel's French units


class TestAfterDownload:
    """Issue 23 §4: after Download the page said "5 of 5 downloads left" until reloaded."""

    def test_a_browser_gets_the_page_with_the_new_count_and_a_refresh_to_the_file(
        self, token: str, service: Callable[..., FlaskClient], settings: Settings
    ) -> None:
        client = service()
        form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
        page = client.post(form.action, data=form.fields, headers=NAVIGATION)
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert page.headers["Cache-Control"] == "no-store"
        text = text_of(page.text)
        assert "Your download has started." in text and "4 of 5 downloads left." in text
        refresh = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page.text)
        assert refresh is not None and "<script" not in page.text
        copy = client.get(local_path(html.unescape(refresh.group(1))))
        assert copy.status_code == 200 and copy.data.startswith(b"%PDF-")
        assert counts(settings) == (1, 0)

    def test_anything_but_a_browser_navigation_still_gets_the_303(
        self, token: str, service: Callable[..., FlaskClient], settings: Settings
    ) -> None:
        client = service()
        form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
        for headers in ({}, {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}):
            answer = client.post(form.action, data=form.fields, headers=headers)
            assert answer.status_code == 303
        assert counts(settings) == (2, 0)

    def test_the_last_download_shows_the_file_used_up_not_a_410(
        self, token: str, service: Callable[..., FlaskClient]
    ) -> None:
        client = service(download_limit=1)
        form = form_for(client.get(f"/d/{token}").text, f"/d/{token}")
        headers = {**NAVIGATION, "Accept-Language": "de"}
        page = client.post(form.action, data=form.fields, headers=headers)
        assert page.status_code == 200
        text = text_of(page.text)
        assert "Ihr Download hat begonnen." in text
        assert "1-mal heruntergeladen, so oft, wie ein Link erlaubt." in text
        assert 'http-equiv="refresh"' in page.text


def test_the_reasons_common_gives_are_the_ones_the_catalog_holds() -> None:
    """common/ words its refusals in English; the pages look them up by those words."""
    altered = make_token("another shop's secret", LinkClaim("1", 0, 2_000_000_000))
    said = set()
    for token in ("not-a-token", altered):
        with pytest.raises(InvalidToken) as link:
            read_token(STAMP_SECRET, token)
        said.add(str(link.value))
    assert said == {str(words) for words in INVALID_LINK}
    said = set()
    for code in ("7K3M", "7K3M-Q9TX-2B4F"):
        with pytest.raises(InvalidCode) as refused:
            check_code(STAMP_SECRET, code)
        said.add(str(refused.value))
    assert said == {str(words) for words in NOT_A_CODE}
    said = set()
    for address in ("", "not an address", "ada@example.com"):
        with pytest.raises(BuyerDataError) as not_kindle:
            kindle_address(address)
        said.add(str(not_kindle.value))
    assert said == {str(words) for words in NOT_A_KINDLE}
