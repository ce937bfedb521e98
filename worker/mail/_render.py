"""Render buyer mails from Jinja templates: plain text and HTML, same facts.

delivery.* hands over a new copy (or fresh links, `resend`); new_edition.*
says a corrected edition was stamped for the buyer; kindle.* carries a copy to
a Kindle's address, as an attachment (Amazon reads the attachment, not the text).

Pure: an order record and its links in, a Mail out. Both parts say how often
each file may be downloaded and until when, that each link opens a download
page, where fresh links come from and whom to ask (tests/unit/worker/test_mail.py
checks that the two parts carry the same words and URLs). The HTML template
is autoescaped, so a buyer named `<script>` stays text. The buyer's name and
address arrive normalised by the message contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from common.catalog import text_color_on
from common.i18n import human_date
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
    record: OrderRecord, links: list[Link], expires: int, shop: Shop, *, resend: bool = False
) -> Mail:
    """The mail that hands a buyer the links to their personal copy."""
    subject = (
        f"Fresh download links for {record.title}"
        if resend
        else f"Your copy of {record.title} is ready"
    )
    context = {
        "record": record,
        "links": links,
        "expires": human_date(expires),
        "shop": shop,
        "limit": shop.download_limit,
        "resend": resend,
        "subject": subject,
    }
    return Mail(
        to=ascii_address(record.mail_to),
        to_name=record.buyer_name,
        subject=subject,
        text=_ENV.get_template("delivery.txt").render(context),
        html=_ENV.get_template("delivery.html").render(context),
        order_id=record.order_id,
        category="links-resent" if resend else "delivery",
        custom_args={"order_id": record.order_id},
        from_name=shop.from_name,
        from_address=shop.from_address,
    )


def render_new_edition(
    record: OrderRecord, title: str, links: list[Link], expires: int, shop: Shop
) -> Mail:
    """The one mail that tells a buyer a new edition of a book they own is ready."""
    context = {
        "record": record,
        "title": title,
        "links": links,
        "expires": human_date(expires),
        "shop": shop,
        "limit": shop.download_limit,
    }
    return Mail(
        to=ascii_address(record.mail_to),
        to_name=record.buyer_name,
        subject=f"A new edition of {title} is ready",
        text=_ENV.get_template("new_edition.txt").render(context),
        html=_ENV.get_template("new_edition.html").render(context),
        order_id=record.order_id,
        category="new-edition",
        custom_args={"order_id": record.order_id},
        from_name=shop.from_name,
        from_address=shop.from_address,
    )


def render_kindle(record: OrderRecord, to: str, copy: Attachment, shop: Shop) -> Mail:
    """The mail that carries one stamped copy to a Kindle's address, and to no one else."""
    context = {"record": record, "filename": copy.filename, "shop": shop}
    return Mail(
        to=ascii_address(to),
        to_name="",
        subject=record.title,
        text=_ENV.get_template("kindle.txt").render(context),
        html=_ENV.get_template("kindle.html").render(context),
        order_id=record.order_id,
        category="kindle",
        custom_args={"order_id": record.order_id},
        from_name=shop.from_name,
        from_address=shop.from_address,
        attachments=(copy,),
    )
