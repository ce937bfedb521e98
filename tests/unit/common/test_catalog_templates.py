"""The author's templates in other languages: `templates.<lang>` per file, checked alike."""

from __future__ import annotations

import pytest

from common.catalog import CatalogError, parse_catalog
from stamping.style import DEFAULT_FOOTER_TEMPLATE, StampStyle


def catalog(file: str) -> str:
    return f'[products.a]\npaddle_ids = ["pro_a"]\ntitle = "A"\nfiles = [{file}]\n'


EPUB = (
    '{ source = "a.epub", stamp = true, exlibris_template = "This copy belongs to {name}.", '
    'templates = { de = { exlibris_template = "Dieses Exemplar gehört {name}." }, '
    'ar = { exlibris_template = "هذه النسخة ملك {name}.", footer_template = "{name} · {code}" } } }'
)


def test_each_language_s_templates_are_read_beside_the_author_s_words() -> None:
    [spec] = parse_catalog(catalog(EPUB)).products[0].files
    assert spec.style.exlibris_template == "This copy belongs to {name}."
    assert spec.style_for("de") == StampStyle(exlibris_template="Dieses Exemplar gehört {name}.")
    assert spec.style_for("ar").footer_template == "{name} · {code}"
    assert spec.style_for("de").footer_template == DEFAULT_FOOTER_TEMPLATE  # not translated
    assert spec.style_for("fr") == spec.style  # none written: the author's words
    assert spec.style_for("") == spec.style


def test_the_catalog_finds_an_original_s_style_in_a_language() -> None:
    parsed = parse_catalog(catalog(EPUB))
    assert parsed.style_of("a.epub", "de") == StampStyle(
        exlibris_template="Dieses Exemplar gehört {name}."
    )
    assert parsed.style_of("a.epub") == parsed.products[0].files[0].style
    assert parsed.style_of("b.epub", "de") is None


def test_a_pdf_translates_its_template_and_keeps_its_look() -> None:
    text = catalog(
        '{ source = "a.pdf", stamp = true, font_size = 7, '
        'templates = { fr = { template = "Préparé pour {name} · {code}" } } }'
    )
    [spec] = parse_catalog(text).products[0].files
    assert spec.style_for("fr") == StampStyle(template="Préparé pour {name} · {code}", font_size=7)


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ('{ source = "a.pdf", templates = "de" }', r"files\[0\]\.templates: must be a table"),
        ('{ source = "a.pdf", templates = { ja = { template = "{name}" } } }',
         r"files\[0\]\.templates\.ja: not one of en, de"),
        ('{ source = "a.pdf", templates = { de = "{name}" } }',
         r"templates\.de: must be a table of templates"),
        ('{ source = "a.pdf", templates = { de = {} } }', r"templates\.de: must be a table"),
        ('{ source = "a.pdf", templates = { de = { template = "{buyer}" } } }',
         r"templates\.de\.template: unknown placeholder"),
        ('{ source = "a.pdf", templates = { de = { template = 5 } } }',
         r"templates\.de\.template: must be text"),
        ('{ source = "a.pdf", templates = { de = { exlibris_template = "x" } } }',
         r"templates\.de\.exlibris_template: this file translates template"),
        ('{ source = "a.epub", templates = { de = { template = "x" } } }',
         r"templates\.de\.template: this file translates exlibris_template, footer_template"),
        ('{ source = "a.epub", templates = { de = { color = "#000000" } } }',
         r"templates\.de\.color: this file translates"),
        ('{ source = "a.zip", templates = { de = { template = "x" } } }',
         r"templates\.de\.template: this file translates nothing"),
    ],
    ids=["not-a-table", "unknown-language", "language-not-a-table", "empty", "placeholder",
         "not-text", "epub-key-on-pdf", "pdf-key-on-epub", "not-a-template", "unstamped-kind"],
)  # fmt: skip
def test_a_translation_s_mistake_names_its_language_and_key(file: str, reason: str) -> None:
    with pytest.raises(CatalogError, match=reason):
        parse_catalog(catalog(file))
