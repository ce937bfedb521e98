"""The catalog's EPUB options: read into StampStyle, and every mistake named by its key."""

from __future__ import annotations

import pytest

from common.catalog import CatalogError, parse_catalog
from stamping.style import StampStyle


def catalog(file: str) -> str:
    return f'[products.a]\npaddle_ids = ["pro_a"]\ntitle = "A"\nfiles = [{file}]\n'


def test_epub_options_are_read() -> None:
    text = catalog(
        '{ source = "a.epub", stamp = true, footer = "none", color = "#102030", '
        'footer_template = "{code}", exlibris_template = "Ex libris {name}" }'
    )
    [spec] = parse_catalog(text).products[0].files
    assert spec.stamp
    assert spec.style == StampStyle(
        color="#102030",
        footer="none",
        footer_template="{code}",
        exlibris_template="Ex libris {name}",
    )


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ('{ source = "a.mobi", stamp = true }', r"files\[0\]\.stamp: only \.pdf and \.epub"),
        ('{ source = "a", stamp = true }', r"files\[0\]\.stamp: only \.pdf and \.epub"),
        ('{ source = "a.epub", footer = "pages" }', r"files\[0\]\.footer: must be one of"),
        ('{ source = "a.epub", footer = 1 }', r"files\[0\]\.footer: must be one of"),
        ('{ source = "a.epub", footer_template = "{buyer}" }', r"\.footer_template: unknown"),
        ('{ source = "a.epub", exlibris_template = 5 }', r"\.exlibris_template: must be text"),
        ('{ source = "a.epub", exlibris_template = "{name" }', r"\.exlibris_template: unknown"),
        ('{ source = "a.epub", skip_pages = 2 }', r"files\[0\]\.skip_pages: applies to PDF files"),
        ('{ source = "a.EPUB", template = "{name}" }', r"files\[0\]\.template: applies to PDF"),
        ('{ source = "a.pdf", footer = "none" }', r"files\[0\]\.footer: applies to EPUB files"),
        ('{ source = "a.pdf", exlibris_template = "x" }', r"\.exlibris_template: applies to EPUB"),
        ('{ source = "a.epub", color = "blue" }', r"files\[0\]\.color"),
    ],
    ids=["mobi", "no-extension", "footer-unknown", "footer-number", "footer-template-placeholder",
         "exlibris-not-text", "exlibris-unclosed", "skip-pages-on-epub", "template-on-epub",
         "footer-on-pdf", "exlibris-on-pdf", "color"],
)  # fmt: skip
def test_catalog_errors_name_the_key(file: str, reason: str) -> None:
    with pytest.raises(CatalogError, match=reason):
        parse_catalog(catalog(file))


def test_an_unstamped_file_of_any_kind_is_fine() -> None:
    [spec] = parse_catalog(catalog('{ source = "extras.zip" }')).products[0].files
    assert not spec.stamp
