"""The compiled catalogs, one per language and domain, loaded once, and Jinja's hook to them.

English is the source text, so it needs no catalog. Any other language must have
its .mo compiled from the .po in the repository (`make locales`; the image does it
at build): a missing one is a build mistake, said at the first use, never a page
silently in English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations
from jinja2 import Environment

from common.i18n._languages import DEFAULT_LANGUAGE, LANGUAGES

LOCALES = Path(__file__).parent / "locales"
DOMAINS = ("common", "pages", "mail")
Catalogs = NullTranslations  # what `translations` answers: gettext, ngettext, pgettext, ...


class CatalogMissing(RuntimeError):
    """A language's compiled catalog is not there: the build skipped `make locales`."""


@cache
def translations(language: str, domain: str) -> NullTranslations:
    """The catalog of one language and domain; English, and any unknown language, get the source."""
    if domain not in DOMAINS:
        raise ValueError(f"no catalog domain {domain!r}; one of {', '.join(DOMAINS)}")
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    compiled = LOCALES / language / "LC_MESSAGES" / f"{domain}.mo"
    if not compiled.is_file():
        raise CatalogMissing(f"{compiled} is missing: run `make locales` to compile the catalogs")
    with compiled.open("rb") as file:
        return Translations(file, domain=domain)


def install_gettext(env: Environment, domain: str, language: Callable[[], str]) -> None:
    """Let templates of `env` say {% trans %} and _() in whatever `language()` answers now.

    The callables look the language up at each call, so one environment serves
    requests and mails in different languages side by side (new-style gettext:
    Jinja escapes the translation and fills %(name)s itself).
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=lambda message: translations(language(), domain).gettext(message),
        ngettext=lambda one, many, n: translations(language(), domain).ngettext(one, many, n),
        pgettext=lambda context, message: translations(language(), domain).pgettext(
            context, message
        ),
        npgettext=lambda context, one, many, n: translations(language(), domain).npgettext(
            context, one, many, n
        ),
        newstyle=True,
    )
