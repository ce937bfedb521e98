"""The buyer's language: which one a page or a mail speaks, its catalogs, its formats.

Buyer pages and mails are written in English in their templates and code; each
other language is a gettext catalog under locales/<lang>/LC_MESSAGES/<domain>.po,
compiled to .mo at build time (`make locales`, the Dockerfile). A domain is one
reader of the catalogs: `pages` (service/), `mail` (worker/mail/) and `common`
(the few words both print, such as a date beyond the calendar). A language is
chosen in one order everywhere (`choose`): the store's locale for the buyer,
stored on the order; else the page's Accept-Language; else SHOP_LANGUAGE.

Pure: no Flask, no request; the apps hand in what they read.
"""

from common.i18n._catalogs import CatalogMissing, Catalogs, install_gettext, translations
from common.i18n._format import format_count, human_date, human_size
from common.i18n._languages import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    RTL,
    choose,
    direction,
    from_accept_language,
    normalize,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "RTL",
    "CatalogMissing",
    "Catalogs",
    "choose",
    "direction",
    "format_count",
    "from_accept_language",
    "human_date",
    "human_size",
    "install_gettext",
    "normalize",
    "translations",
]
