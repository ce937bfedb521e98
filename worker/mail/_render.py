"""Render buyer mails from Jinja templates: text and HTML, same facts, in the buyer's language.

delivery.* hands over a new copy (or fresh links, `resend`); new_edition.*
says a corrected edition was stamped for the buyer; kindle.* carries a copy to
a Kindle's address, as an attachment (Amazon reads the attachment, not the text).

Pure: an order record, its links and a language in, a Mail out. Both parts say how often
each file may be downloaded and until when, that each link opens a download
page, where fresh links come from and whom to ask (tests/unit/worker/test_mail.py
checks that the two parts carry the same words and URLs, in every language). The
words are the `mail` domain's gettext catalog (common/i18n), looked up in the language
set around each render (a ContextVar, so mails in different languages can be rendered
side by side on the worker's threads); dates and sizes come formatted for it. Both
parts share each sentence, so a translator sees it once; the HTML part passes its
links and bold titles in as markup. The HTML template is autoescaped, so a buyer
named `<script>` stays text. The buyer's name and address arrive normalised by the
message contract.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from common.catalog import text_color_on
from common.i18n import (
    DEFAULT_LANGUAGE,
    direction,
    format_count,
    human_date,
    install_gettext,
    translations,
)
from common.messages import ascii_address
from common.orders import OrderRecord
from worker.mail._port import Attachment, Mail

_ENV = Environment(
    loader=PackageLoader("worker.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_LANGUAGE: ContextVar[str] = ContextVar("mail_language", default=DEFAULT_LANGUAGE)
install_gettext(_ENV, "mail", _LANGUAGE.get)


@dataclass(frozen=True)
class Link:
    filename: str
    url: str
    size: str = ""  # "2.4 MB"; blank when the record predates sizes


@dataclass(frozen=True)
class Shop:
    """Whom a mail is from: the shop (SHOP_NAME, MAIL_FROM) or the imprint an order is under."""

    name: str
    links_page: str
    support_email: str
    download_limit: int = 0  # per file; 0: no limit
    accent: str = "#1a56db"  # the HTML part's buttons and links (#rrggbb)
    # An imprint's sender (name, address); blank: the mailer's own (MAIL_FROM).
    from_name: str = ""
    from_address: str = ""

    @property
    def on_accent(self) -> str:
        """The buttons' text colour: white or black, whichever reads on the accent."""
        return text_color_on(self.accent)


def render_delivery(
    record: OrderRecord,
    links: list[Link],
    expires: int,
    shop: Shop,
    *,
    resend: bool = False,
    language: str = DEFAULT_LANGUAGE,
) -> Mail:
    """The mail that hands a buyer the links to their personal copy."""
    words = translations(language, "mail")
    if resend:
        subject = words.gettext("Fresh download links for %(title)s") % {"title": record.title}
    else:
        subject = words.gettext("Your copy of %(title)s is ready") % {"title": record.title}
    context = {
        "record": record,
        "links": links,
        "expires": human_date(expires, language),
        "shop": shop,
        "limit": shop.download_limit,
        "limit_text": format_count(shop.download_limit, language),
        "resend": resend,
        "subject": subject,
    }
    category = "links-resent" if resend else "delivery"
    return _to_buyer(record, shop, subject, _render("delivery", context, language), category)


def render_new_edition(
    record: OrderRecord,
    title: str,
    links: list[Link],
    expires: int,
    shop: Shop,
    *,
    language: str = DEFAULT_LANGUAGE,
) -> Mail:
    """The one mail that tells a buyer a new edition of a book they own is ready."""
    words = translations(language, "mail")
    context = {
        "record": record,
        "title": title,
        "links": links,
        "expires": human_date(expires, language),
        "shop": shop,
    }
    subject = words.gettext("A new edition of %(title)s is ready") % {"title": title}
    parts = _render("new_edition", context, language)
    return _to_buyer(record, shop, subject, parts, "new-edition")


def render_kindle(
    record: OrderRecord,
    to: str,
    copy: Attachment,
    shop: Shop,
    *,
    language: str = DEFAULT_LANGUAGE,
) -> Mail:
    """The mail that carries one stamped copy to a Kindle's address, and to no one else."""
    context = {"record": record, "filename": copy.filename, "shop": shop}
    text, html, _ = _render("kindle", context, language)
    return Mail(
        to=ascii_address(to),
        to_name="",
        subject=record.title,  # the title alone: what the Kindle library shows, in any language
        text=text,
        html=html,
        order_id=record.order_id,
        category="kindle",
        custom_args={"order_id": record.order_id},
        from_name=shop.from_name,
        from_address=shop.from_address,
        attachments=(copy,),
        language=language,
    )


def _to_buyer(
    record: OrderRecord, shop: Shop, subject: str, parts: tuple[str, str, str], category: str
) -> Mail:
    """A mail of the order's to its buyer, from the shop or its imprint, in the parts' language."""
    text, html, language = parts
    return Mail(
        to=ascii_address(record.mail_to),
        to_name=record.buyer_name,
        subject=subject,
        text=text,
        html=html,
        order_id=record.order_id,
        category=category,
        custom_args={"order_id": record.order_id},
        from_name=shop.from_name,
        from_address=shop.from_address,
        language=language,
    )


def _render(name: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """The text and HTML parts of one mail, their words in `language`, and that language."""
    token = _LANGUAGE.set(language)
    try:
        full = {**context, "lang": language, "dir": direction(language)}
        text = _ENV.get_template(f"{name}.txt").render(full)
        return text, _ENV.get_template(f"{name}.html").render(full), language
    finally:
        _LANGUAGE.reset(token)
