"""Imprints in the catalog: parsed, refused in words, their logos inlined (common/catalog)."""

from __future__ import annotations

import base64

import pytest

from common.catalog import (
    MAX_LOGO_BYTES,
    CatalogError,
    parse_catalog,
    text_color_on,
    with_logos,
)
from common.storage import NotFound
from tests.conftest import SAMPLE_CATALOG
from tests.support.imprints import ACCENT, SENDER, SUPPORT, imprint_toml, logo_png

PRODUCTS = """
[products.first]
paddle_ids = ["pro_1"]
title = "First"
imprint = "held-out"
files = [{ source = "first.pdf" }]

[products.second]
paddle_ids = ["pro_2"]
title = "Second"
imprint = "other"
files = [{ source = "second.pdf" }]

[products.plain]
paddle_ids = ["pro_3"]
title = "Plain"
files = [{ source = "plain.pdf" }]
"""
OTHER = '[imprints.other]\nshop_name = "Other"\nmail_from = "o@other.example"\n'
DOMAINS = ("heldout.example", "other.example")


def catalog_text(imprint: str = imprint_toml(), products: str = PRODUCTS) -> str:
    return products + imprint + OTHER


def test_an_imprint_is_read_with_its_sender_support_and_colour() -> None:
    catalog = parse_catalog(catalog_text(), sender_domains=DOMAINS)
    held = catalog.imprint("held-out")
    assert held is not None
    assert (held.shop_name, held.sender, held.support, held.accent_color) == (
        "Held Out Press",
        SENDER,
        SUPPORT,
        ACCENT,
    )
    other = catalog.imprint("other")
    assert other is not None and other.sender == ("Other", "o@other.example")
    assert other.support == "o@other.example"  # no support_email: its sender's address


def test_an_order_of_two_imprints_is_under_the_first_products() -> None:
    catalog = parse_catalog(catalog_text())
    assert catalog.imprint_of(["second", "first"]) == "held-out"  # catalog order
    assert catalog.imprint_of(["plain", "second"]) == "other"
    assert catalog.imprint_of(["plain"]) == ""


def test_the_recorded_imprint_wins_over_the_catalogs_of_today() -> None:
    catalog = parse_catalog(catalog_text())
    assert catalog.sold_under("other", ("first",)).slug == "other"  # type: ignore[union-attr]
    assert catalog.sold_under("", ("first",)).slug == "held-out"  # type: ignore[union-attr]
    assert catalog.sold_under("gone", ("first",)) is None  # an imprint since removed


def test_the_sample_catalog_has_no_imprint_and_needs_none() -> None:
    catalog = parse_catalog(SAMPLE_CATALOG.read_text(), sender_domains=("example.com",))
    assert catalog.imprints == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            catalog_text(products=PRODUCTS.replace('"other"', '"missing"')),
            r"^products\.second\.imprint: no \[imprints\.missing\] in the catalog$",
        ),
        (
            catalog_text(products=PRODUCTS.replace('imprint = "other"', "imprint = 3")),
            r"^products\.second\.imprint: must be the slug",
        ),
        (
            catalog_text(imprint_toml(accent_color="red")),
            r"^imprints\.held-out\.accent_color: must look like #rrggbb, got 'red'$",
        ),
        (
            catalog_text(imprint_toml(accent_color="#12345")),
            r"^imprints\.held-out\.accent_color: must look like #rrggbb",
        ),
        (
            catalog_text(imprint_toml(accent_color="#123456;}body{x:y")),
            r"^imprints\.held-out\.accent_color: must look like #rrggbb",
        ),
        (
            catalog_text(imprint_toml(mail_from="Held Out <books")),
            r"^imprints\.held-out\.mail_from: expected an address or 'Name <address>'",
        ),
        (
            catalog_text(imprint_toml(mail_from="books@heldout.example, b@other.example")),
            r"^imprints\.held-out\.mail_from: expected an address or 'Name <address>'",
        ),
        (
            catalog_text(imprint_toml(mail_from="books@unverified.example")),
            r"^imprints\.held-out\.mail_from: unverified\.example is not a sender domain the "
            r"mail provider authenticated \(MAIL_DOMAINS: heldout\.example, other\.example\)$",
        ),
        (
            catalog_text(imprint_toml(support_email="Help <help@heldout.example>")),
            r"^imprints\.held-out\.support_email: an address alone",
        ),
        (
            catalog_text(imprint_toml(support_email="nobody")),
            r"^imprints\.held-out\.support_email: expected an address",
        ),
        (
            catalog_text(imprint_toml(shop_name="")),
            r"^imprints\.held-out\.shop_name: required",
        ),
        (
            catalog_text(imprint_toml(shop_name="Two\nLines")),
            r"^imprints\.held-out\.shop_name: required, one line",
        ),
        (
            catalog_text(imprint_toml(colour="#123456")),
            r"^imprints\.held-out: unknown keys \['colour'\]$",
        ),
        (
            catalog_text(imprint_toml().replace("[imprints.held-out]", "[imprints.Held_Out]")),
            r"^imprints\.Held_Out: a slug is lower-case letters, digits and '-'",
        ),
        ("imprints = 3\n" + PRODUCTS, r"^imprints: must be \[imprints\.<slug>\] tables$"),
        (PRODUCTS.replace('imprint = "other"\n', "") + "[imprints]\nx = 1\n", r"^imprints\.x: "),
    ],
    ids=[
        "unknown imprint",
        "imprint not text",
        "colour name",
        "colour short",
        "colour and css",
        "sender broken",
        "two senders",
        "sender domain",
        "support with name",
        "support no address",
        "no name",
        "two-line name",
        "unknown key",
        "bad slug",
        "imprints not tables",
        "not a table",
    ],
)
def test_a_bad_imprint_is_refused_naming_it(text: str, reason: str) -> None:
    with pytest.raises(CatalogError, match=reason):
        parse_catalog(text, sender_domains=DOMAINS)


def test_the_sender_domain_is_checked_only_where_the_domains_are_known() -> None:
    text = catalog_text(imprint_toml(mail_from="books@unverified.example"))
    assert parse_catalog(text).imprint("held-out") is not None  # a style look-up, say
    with pytest.raises(CatalogError, match=r"unverified\.example is not a sender domain"):
        parse_catalog(text, sender_domains=("heldout.example", "other.example"))


def test_a_domain_is_compared_case_blind() -> None:
    text = catalog_text(imprint_toml(mail_from="Books@HeldOut.Example"))
    assert parse_catalog(text, sender_domains=DOMAINS).imprint("held-out") is not None


def test_a_logo_is_inlined_as_a_data_url() -> None:
    png = logo_png()
    catalog = parse_catalog(catalog_text(imprint_toml(logo="held.png")))
    read: list[str] = []
    inlined = with_logos(catalog, lambda name: read.append(name) or png)
    held = inlined.imprint("held-out")
    assert held is not None and read == ["held.png"]
    kind, _, data = held.logo_data_url.partition(";base64,")
    assert kind == "data:image/png" and base64.b64decode(data) == png
    assert inlined.imprint("other").logo_data_url == ""  # type: ignore[union-attr]


def missing(name: str) -> bytes:
    raise NotFound(name)


@pytest.mark.parametrize(
    ("reader", "reason"),
    [
        (lambda name: b"\x89PNG\r\n\x1a\n" + bytes(MAX_LOGO_BYTES), r"over 65536 \(64 KiB\)"),
        (lambda name: b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG or JPEG image"),
        (lambda name: b"GIF89a" + bytes(20), "not a PNG or JPEG image"),
        (lambda name: b"", "not a PNG or JPEG image"),
        (missing, r"cannot read 'held\.png'"),
    ],
    ids=["too big", "svg", "gif", "empty", "missing"],
)
def test_a_logo_that_is_too_big_or_no_image_is_refused(reader, reason: str) -> None:  # type: ignore[no-untyped-def]
    catalog = parse_catalog(catalog_text(imprint_toml(logo="held.png")))
    with pytest.raises(CatalogError, match=rf"^imprints\.held-out\.logo: .*{reason}"):
        with_logos(catalog, reader)


def test_a_jpeg_logo_is_named_as_one() -> None:
    catalog = parse_catalog(catalog_text(imprint_toml(logo="held.jpg")))
    held = with_logos(catalog, lambda name: b"\xff\xd8\xff\xe0" + bytes(100)).imprint("held-out")
    assert held is not None and held.logo_data_url.startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#1a56db", "#ffffff"),
        ("#ffeb3b", "#000000"),
        ("#000000", "#ffffff"),
        ("#ffffff", "#000000"),
    ],
)
def test_the_buttons_text_reads_on_the_accent(background: str, text: str) -> None:
    assert text_color_on(background) == text
