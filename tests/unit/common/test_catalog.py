"""The catalog: the sample loads, ids find their product, every mistake is a CatalogError."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.catalog import MERCHANT_PREFIXES, Catalog, CatalogError, load_catalog, parse_catalog
from common.merchants import MERCHANTS
from common.storage import LocalStorage
from stamping.style import DEFAULT_TEMPLATE, StampStyle
from tests.conftest import SAMPLE_CATALOG

PRODUCT, PRICE, CLASSIC = (
    "pro_01demopracticalpython00000",
    "pri_01demopracticalpython00000",
    "552312",
)

TWO_PRODUCTS = """
[products.python]
paddle_ids = ["pro_py", "pri_py", 1001]
title = "  Python  "

[[products.python.files]]
source = "books/python.pdf"
stamp = true
skip_pages = 2
color = "#112233"
opacity = 0.5
font_size = 7
margin = 20
template = "{name} · {order}"

[[products.python.files]]
source = "books/python.epub"

[products.go]
paddle_ids = ["pro_go"]
title = "Go"
files = [{ source = "go.pdf", stamp = true }]
"""


def product(files: str = '[{ source = "a.pdf" }]', **keys: str) -> str:
    """One product's TOML with its keys replaced (a value of None drops the key)."""
    lines = {"paddle_ids": '["pro_a"]', "title": '"A"', "files": files} | keys
    body = "\n".join(f"{k} = {v}" for k, v in lines.items() if v is not None)
    return f"[products.a]\n{body}\n"


def test_the_sample_catalog_loads(catalog: Catalog) -> None:
    [book] = catalog.products
    assert book.slug == "practical-python"
    assert book.title == "Practical Python Projects"
    assert book.paddle_ids == (PRODUCT, PRICE, CLASSIC)
    pdf, epub = book.files
    assert (pdf.source, pdf.filename, pdf.stamp) == (
        "practical-python.pdf",
        "practical-python.pdf",
        True,
    )
    assert pdf.style.skip_pages == 1
    assert pdf.style.template == DEFAULT_TEMPLATE
    assert (epub.source, epub.stamp, epub.style.footer) == ("practical-python.epub", True, "auto")


@pytest.mark.parametrize(
    "paddle_id", [PRODUCT, PRICE, CLASSIC], ids=["product", "price", "classic"]
)
def test_find_by_any_id(catalog: Catalog, paddle_id: str) -> None:
    assert [p.slug for p in catalog.find((f"paddle:{paddle_id}",))] == ["practical-python"]


def test_find_returns_each_product_once_in_catalog_order() -> None:
    catalog = parse_catalog(TWO_PRODUCTS)
    found = catalog.find(["paddle:pro_go", "paddle:pri_py", "paddle:pro_py", "paddle:unknown"])
    assert [p.slug for p in found] == ["python", "go"]


def test_find_with_unknown_ids_is_empty(catalog: Catalog) -> None:
    assert catalog.find(("paddle:pro_nope", "")) == []
    assert catalog.find(()) == []


def test_integer_ids_become_strings_and_styles_are_read() -> None:
    catalog = parse_catalog(TWO_PRODUCTS)
    [python] = [p for p in catalog.products if p.slug == "python"]
    assert python.title == "Python"
    assert python.paddle_ids == ("pro_py", "pri_py", "1001")
    assert [p.slug for p in catalog.find(["paddle:1001"])] == ["python"]
    pdf, epub = python.files
    assert pdf.filename == "python.pdf"
    assert pdf.style == StampStyle("{name} · {order}", 7, "#112233", 0.5, 20, 2)
    assert (epub.stamp, epub.style) == (False, StampStyle())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[products.a\ntitle = 1", "not valid TOML"),
        ("", "no \\[products"),
        ("title = 'x'", "no \\[products"),
        ("products = 5", "no \\[products"),
        ("[products]", "no \\[products"),
        ("products = { a = 5 }", r"products\.a: must be a table"),
        (product(title=None), r"products\.a\.title: required"),
        (product(title='"   "'), r"products\.a\.title: required"),
        (product(title="7"), r"products\.a\.title: required"),
        (product(paddle_ids=None), r"products\.a\.ids: a non-empty list"),
        (product(paddle_ids="[]"), r"products\.a\.ids: a non-empty list"),
        (product(paddle_ids="[]", ids='["pri_a"]'), r"'pri_a' is not merchant:id"),
        (product(paddle_ids="[]", ids='["strip:price_1"]'), r"unknown merchant 'strip'"),
        (product(paddle_ids="[]", ids='["stripe:"]'), r"products\.a\.ids: 'stripe:' is not"),
        (product(paddle_ids='"pro_a"'), r"products\.a\.paddle_ids"),
        (product(paddle_ids="[1.5]"), r"products\.a\.paddle_ids"),
        (product(files=None), r"products\.a\.files"),
        (product(files="[]"), r"products\.a\.files"),
        (product(files="[{ stamp = true }]"), r"products\.a\.files\[0\]\.source"),
        (product(files='["a.pdf"]'), r"products\.a\.files\[0\]\.source"),
        (product(files='[{ source = "a.pdf", stamp = "yes" }]'), r"files\[0\]\.stamp"),
        (product(files='[{ source = "a.pdf", colour = "#000000" }]'), "unknown keys"),
        (product(files='[{ source = "a.pdf", color = "red" }]'), r"files\[0\]\.color"),
        (product(files='[{ source = "a.pdf", color = "#12345" }]'), r"files\[0\]\.color"),
        (product(files='[{ source = "a.pdf", color = "#zzzzzz" }]'), r"files\[0\]\.color"),
        (product(files='[{ source = "a.pdf", color = 5 }]'), r"files\[0\]\.color"),
        (product(files='[{ source = "a.pdf", opacity = 0 }]'), r"files\[0\]\.opacity"),
        (product(files='[{ source = "a.pdf", opacity = 1.5 }]'), r"files\[0\]\.opacity"),
        (product(files='[{ source = "a.pdf", opacity = "half" }]'), r"files\[0\]\.opacity"),
        (product(files='[{ source = "a.pdf", skip_pages = -1 }]'), r"files\[0\]\.skip_pages"),
        (product(files='[{ source = "a.pdf", skip_pages = 1.5 }]'), r"files\[0\]\.skip_pages"),
        (product(files='[{ source = "a.pdf", font_size = -8 }]'), r"files\[0\]\.font_size"),
        (product(files='[{ source = "a.pdf", margin = "wide" }]'), r"files\[0\]\.margin"),
        (product(files='[{ source = "a.pdf", template = "{buyer}" }]'), "unknown placeholder"),
        (product(files='[{ source = "a.pdf", template = "{}" }]'), "unknown placeholder"),
        (product(files='[{ source = "a.pdf", template = "{name" }]'), "unknown placeholder"),
        (product(files='[{ source = "a.pdf", template = "{name.x}" }]'), r"\.template"),
        (product(files='[{ source = "a.pdf", template = 5 }]'), r"files\[0\]\.template"),
        (
            product() + '[products.b]\npaddle_ids = ["pro_a"]\ntitle = "B"\nfiles = '
            '[{ source = "b.pdf" }]\n',
            "'paddle:pro_a' is in both a and b",
        ),
        (
            product(paddle_ids="[552312]") + '[products.b]\npaddle_ids = ["552312"]\n'
            'title = "B"\nfiles = [{ source = "b.pdf" }]\n',
            "'paddle:552312' is in both a and b",
        ),
    ],
    ids=[
        "bad-toml",
        "empty",
        "no-products",
        "products-not-table",
        "products-empty",
        "product-not-table",
        "missing-title",
        "blank-title",
        "title-not-text",
        "missing-ids",
        "empty-ids",
        "id-unqualified",
        "id-unknown-merchant",
        "id-empty-after-prefix",
        "ids-not-list",
        "id-float",
        "missing-files",
        "empty-files",
        "file-without-source",
        "file-not-table",
        "stamp-not-bool",
        "unknown-key",
        "color-name",
        "color-short",
        "color-not-hex",
        "color-number",
        "opacity-zero",
        "opacity-over-one",
        "opacity-text",
        "skip-pages-negative",
        "skip-pages-fraction",
        "font-size-negative",
        "margin-text",
        "template-unknown-placeholder",
        "template-positional",
        "template-unclosed",
        "template-attribute",
        "template-not-text",
        "duplicate-id",
        "duplicate-int-and-string-id",
    ],
)
def test_catalog_errors(text: str, reason: str) -> None:
    with pytest.raises(CatalogError, match=reason):
        parse_catalog(text)


def test_load_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(TWO_PRODUCTS, encoding="utf-8")
    assert [p.slug for p in load_catalog(str(path)).products] == ["python", "go"]


def test_a_missing_file_names_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^CATALOG: cannot read"):
        load_catalog(str(tmp_path / "nope.toml"))


def test_a_file_that_is_not_utf8_names_catalog(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_bytes(product(title='"Caf\xe9"').encode("latin-1"))
    with pytest.raises(CatalogError, match=r"^CATALOG: "):
        load_catalog(str(path))


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage", public_url="http://x", signing_key=b"k")


def test_a_gs_uri_is_read_through_storage(storage: LocalStorage) -> None:
    storage.write("originals", "config/catalog.toml", SAMPLE_CATALOG.read_bytes())
    catalog = load_catalog(
        "gs://originals/config/catalog.toml", lambda b, n: storage.read(b, n).data
    )
    assert [p.slug for p in catalog.products] == ["practical-python"]


def test_a_gs_uri_reads_a_file_an_author_dropped_in(storage: LocalStorage) -> None:
    folder = storage.root / "originals"
    folder.mkdir(parents=True)
    (folder / "catalog.toml").write_text(TWO_PRODUCTS, encoding="utf-8")
    catalog = load_catalog("gs://originals/catalog.toml", lambda b, n: storage.read(b, n).data)
    assert len(catalog.products) == 2


@pytest.mark.parametrize(
    ("location", "reader"),
    [
        ("gs://originals/catalog.toml", None),
        ("gs://originals", "storage"),
        ("gs:///catalog.toml", "storage"),
        ("gs://originals/missing.toml", "storage"),
    ],
    ids=["no-reader", "no-object-name", "no-bucket", "missing-object"],
)
def test_an_unreadable_gs_uri_names_catalog(
    storage: LocalStorage, location: str, reader: str | None
) -> None:
    read = (lambda b, n: storage.read(b, n).data) if reader else None
    with pytest.raises(CatalogError, match=r"^CATALOG: cannot read"):
        load_catalog(location, read)


def test_a_gs_catalog_with_a_mistake_names_the_key(storage: LocalStorage) -> None:
    storage.write("originals", "catalog.toml", product(title=None).encode())
    with pytest.raises(CatalogError, match=r"products\.a\.title"):
        load_catalog("gs://originals/catalog.toml", lambda b, n: storage.read(b, n).data)


def test_ids_name_their_merchant_and_add_up_with_paddle_ids() -> None:
    text = product(ids='["stripe:price_1", "shopify:4242", "paddle:pro_a"]')
    [book] = parse_catalog(text).products
    assert book.ids == ("paddle:pro_a", "stripe:price_1", "shopify:4242")
    assert book.paddle_ids == ("pro_a",)
    assert parse_catalog(text).find(["shopify:4242"]) == [book]
    assert parse_catalog(text).find(["stripe:4242"]) == []  # another merchant's 4242


def test_every_merchant_module_has_its_catalog_prefix() -> None:
    prefixes = {build.__self__.prefix for build in MERCHANTS}  # type: ignore[attr-defined]
    assert prefixes <= set(MERCHANT_PREFIXES)
