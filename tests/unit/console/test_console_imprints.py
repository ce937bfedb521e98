"""`--imprint SLUG` on `orders`, `export` and `reissue`: the orders sold under that imprint."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from demo.sample_book import make_sample_book
from tests.support.imprints import SLUG, imprint_catalog
from tests.support.shop import Shop
from tests.unit.dashboard.conftest import dashboard_of

DOMAINS = ("example.com", "heldout.example", "other.example")
OTHER = '[imprints.other]\nshop_name = "Other Press"\nmail_from = "books@other.example"\n'


def catalog_under(tmp_path: Path, imprint: str) -> Path:
    """The sample catalog with its product under `imprint` (both imprints defined)."""
    path = imprint_catalog(tmp_path / f"{imprint}.toml")
    text = path.read_text().replace(f'imprint = "{SLUG}"', f'imprint = "{imprint}"')
    path.write_text(text + OTHER, encoding="utf-8")
    return path


@pytest.fixture
def sold(shop: Shop, tmp_path: Path) -> Shop:
    """552312-1 sold under `other`, then the product moved to held-out: 552312-2 and -3."""
    before = shop.restarted(catalog=str(catalog_under(tmp_path, "other")), mail_domains=DOMAINS)
    before.buy("552312-1", "one@example.com", "One")
    after = before.restarted(catalog=str(catalog_under(tmp_path, SLUG)))
    after.buy("552312-2", "two@example.com", "Two")
    after.buy("552312-3", "three@example.com", "Three")
    return after


def test_orders_lists_those_sold_under_the_imprint(sold: Shop) -> None:
    ran = sold.console("orders", "--imprint", SLUG, "--json")
    assert ran.status == 0, ran.err
    assert [o["order_id"] for o in json.loads(ran.out)] == ["552312-2", "552312-3"]
    other = json.loads(sold.console("orders", "--imprint", "other", "--json").out)
    assert [o["order_id"] for o in other] == ["552312-1"]  # the record keeps its imprint
    assert json.loads(sold.console("order", "552312-1", "--json").out)["imprint"] == "other"
    assert re.search(r"^ imprint +other +$", sold.console("order", "552312-1").out, re.M)


def test_export_writes_the_imprints_orders_only(sold: Shop) -> None:
    ran = sold.console("export", "--csv", "-", "--imprint", "other")
    assert ran.status == 0, ran.err
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    assert [r["order_id"] for r in rows] == ["552312-1"]


def test_reissue_mails_the_imprints_buyers_only(sold: Shop) -> None:
    (sold.original() / "practical-python.pdf").write_bytes(make_sample_book(pages=49))
    plan = sold.console("reissue", "practical-python", "--dry-run", "--imprint", SLUG)
    assert plan.status == 0, plan.err
    assert "2 to mail; left out: 1 under another imprint" in plan.out
    ran = sold.console("reissue", "practical-python", "--imprint", "other")
    assert ran.status == 0, ran.err
    mailed = [m for m in sold.mails() if "new edition" in m["Subject"]]
    assert [m["X-Exlibris-Order"] for m in mailed] == ["552312-1"]
    assert mailed[0]["From"].addresses[0].addr_spec == "books@other.example"


@pytest.mark.parametrize(
    "argv",
    [
        ("orders", "--imprint", "nope"),
        ("export", "--csv", "-", "--imprint", "nope"),
        ("reissue", "practical-python", "--dry-run", "--imprint", "nope"),
    ],
)
def test_an_unknown_imprint_is_a_usage_error_in_words(sold: Shop, argv: tuple[str, ...]) -> None:
    ran = sold.console(*argv)
    assert ran.status == 2
    assert ran.err.strip() == (
        f"exlibris: --imprint: no [imprints.nope] in the catalog (it has: {SLUG}, other)"
    )
    assert ran.out == ""


def test_the_dashboards_search_and_api_filter_by_imprint(sold: Shop) -> None:
    client = dashboard_of(sold).test_client()
    page = client.get("/orders", query_string={"q": "other"}).get_data(as_text=True)
    assert sorted(set(re.findall(r">(552312-\d)</a>", page))) == ["552312-1"]
    api = client.get("/api/orders", query_string={"imprint": SLUG})
    assert api.get_json() == json.loads(sold.console("orders", "--json", "--imprint", SLUG).out)
    assert len(api.get_json()) == 2
    refused = client.get("/api/orders", query_string={"imprint": "nope"})
    assert refused.status_code == 400 and "imprint" in refused.get_json()["error"]
