"""The catalogs in the repository: every string the code prints is translated, in every language.

The English strings are extracted from the source here, as tools/catalogs.sh does,
so a new or changed sentence on a page fails this test until each language has it;
a translation whose placeholders differ from the English, a fuzzy guess, a plural
short of the language's forms, or a .mo compiled from an older .po fail too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from common.i18n import LANGUAGES, translations
from common.i18n._catalogs import DOMAINS, LOCALES

ROOT = Path(__file__).resolve().parents[3]
OTHERS = LANGUAGES[1:]


def _source_strings(domain: str) -> set[str | tuple[str, ...]]:
    with (ROOT / "common" / "i18n" / f"{domain}.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map)
    return {
        message if isinstance(message, str) else tuple(message) for _, _, message, _, _ in found
    }


def _catalog(language: str, domain: str) -> Catalog:
    path = LOCALES / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: run `make catalogs` and translate it")
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=domain)


def _key(message: str | tuple[str, ...]) -> str:
    return message if isinstance(message, str) else message[0]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", OTHERS)
def test_every_string_of_the_source_is_translated(language: str, domain: str) -> None:
    source = _source_strings(domain)
    if not source:
        return
    catalog = _catalog(language, domain)
    missing = sorted(_key(m) for m in source if _key(m) not in catalog)
    assert not missing, f"{language}/{domain}.po lacks (run `make catalogs`): {missing}"
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}/{domain}.po leaves {message.id!r} untranslated"
        assert not message.fuzzy, f"{language}/{domain}.po has a fuzzy {message.id!r}"
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, f"{message.id!r} in {language}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", OTHERS)
def test_placeholders_match_the_english(language: str, domain: str) -> None:
    if not (LOCALES / language / "LC_MESSAGES" / f"{domain}.po").is_file():
        return
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in _catalog(language, domain).check()
        for error in errors
    ]
    assert not problems, f"{language}/{domain}.po: {problems}"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", OTHERS)
def test_the_compiled_catalog_is_the_one_in_the_repository(language: str, domain: str) -> None:
    if not (LOCALES / language / "LC_MESSAGES" / f"{domain}.po").is_file():
        return
    compiled = translations(language, domain)
    for message in _catalog(language, domain):
        if message.id and not message.pluralizable:
            assert compiled.gettext(message.id) == message.string, (
                f"{language}/{domain}.mo is older than its .po: run `make locales`"
            )
