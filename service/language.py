"""The language a buyer page speaks: chosen once per request, kept on flask.g, and its words.

A page answers in the language `common.i18n.choose` picks: the order's (the store's locale
for the buyer, on the record) where the page is about one order, else the browser's
Accept-Language, else SHOP_LANGUAGE. A page learns its order late (after reading the
record), so `speak_for_order` may change the choice until the page is rendered.

Templates say {% trans %}; Python says `words().gettext(...)` or marks a sentence it raises
with `N_` (extracted into the `pages` catalog by tools/catalogs.sh) and the page turns it
into the reader's language with `say`. JSON answers stay English (`str()` of the same
sentence): they are an API, and a script compares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask, Response, g, request

from common.i18n import (
    Catalogs,
    choose,
    direction,
    format_count,
    human_date,
    human_size,
    install_gettext,
    normalize,
    translations,
)
from service.deps import current_deps

DOMAIN = "pages"


@dataclass(frozen=True)
class Words:
    """A sentence to show later: its English source and its placeholders' values."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.values if self.values else self.message


def N_(message: str, **values: object) -> Words:
    """Mark a sentence for the catalog now; `say` translates it when the page is made."""
    return Words(message, values)


def page_language() -> str:
    """The language of the current request's page (from Accept-Language and the shop's)."""
    if "lang" not in g:
        g.lang = choose(
            accept_language=request.headers.get("Accept-Language"),
            shop=current_deps().settings.shop_language,
        )
    language: str = g.lang
    return language


def speak_for_order(order_language: str) -> None:
    """The page is about one order: its stored language, when it has one, wins.

    Otherwise the page keeps the choice `page_language` makes (or made) from the
    browser and the shop, which is `choose` without the order: the header is read once.
    """
    g.lang = normalize(order_language) or page_language()


def words(language: str = "") -> Catalogs:
    """The `pages` catalog of `language`, by default the current page's."""
    return translations(language or page_language(), DOMAIN)


def say(sentence: Words | str) -> str:
    """A sentence in the page's language; one the catalog lacks stays as it is."""
    if not sentence:
        return ""  # gettext("") is the catalog's header, never a sentence to show
    if not isinstance(sentence, Words):
        return words().gettext(sentence)
    text = words().gettext(sentence.message)
    if not sentence.values:
        return text
    return text % {k: say(v) if isinstance(v, Words) else v for k, v in sentence.values.items()}


def install_language(app: Flask) -> None:
    """{% trans %} in the app's templates, lang/dir and formatters for them, Content-Language."""
    install_gettext(app.jinja_env, DOMAIN, page_language)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # as pages.cfg extracts them

    @app.context_processor
    def _language() -> dict[str, object]:
        lang = page_language()
        return {
            "lang": lang,
            "dir": direction(lang),
            "date": lambda epoch: human_date(epoch, lang),
            "size": lambda size: human_size(size, lang),
            "count": lambda number: format_count(number, lang),
        }

    @app.after_request
    def _content_language(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = page_language()
            response.vary.add("Accept-Language")  # one URL, a page per language
        return response
