"""Render buyer mails from Jinja templates: plain text and HTML, same facts.

delivery.* hands over a new copy (or fresh links, `resend`); new_edition.*
says a corrected edition was stamped for the buyer.

Pure: an order record and its links in, a Mail out. The HTML template is
autoescaped, so a buyer named `<script>` stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from common.orders import OrderRecord
from worker.mail import Mail

_ENV = Environment(
    loader=PackageLoader("worker.mail", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Link:
    filename: str
    url: str


@dataclass(frozen=True)
class Shop:
    name: str
    links_page: str
    support_email: str


def render_delivery(
    record: OrderRecord, links: list[Link], expires: int, shop: Shop, *, resend: bool = False
) -> Mail:
    """The mail that hands a buyer the links to their personal copy."""
    context = {
        "record": record,
        "links": links,
        "expires": datetime.fromtimestamp(expires, UTC).strftime("%-d %B %Y"),
        "shop": shop,
        "resend": resend,
    }
    subject = (
        f"Fresh download links for {record.title}"
        if resend
        else f"Your copy of {record.title} is ready"
    )
    return Mail(
        to=record.buyer_email,
        to_name=record.buyer_name,
        subject=subject,
        text=_ENV.get_template("delivery.txt").render(context),
        html=_ENV.get_template("delivery.html").render(context),
        order_id=record.order_id,
        category="links-resent" if resend else "delivery",
        custom_args={"order_id": record.order_id},
    )


def render_new_edition(
    record: OrderRecord, title: str, links: list[Link], expires: int, shop: Shop
) -> Mail:
    """The one mail that tells a buyer a new edition of a book they own is ready."""
    context = {
        "record": record,
        "title": title,
        "links": links,
        "expires": datetime.fromtimestamp(expires, UTC).strftime("%-d %B %Y"),
        "shop": shop,
    }
    return Mail(
        to=record.buyer_email,
        to_name=record.buyer_name,
        subject=f"A new edition of {title} is ready",
        text=_ENV.get_template("new_edition.txt").render(context),
        html=_ENV.get_template("new_edition.html").render(context),
        order_id=record.order_id,
        category="new-edition",
        custom_args={"order_id": record.order_id},
    )
