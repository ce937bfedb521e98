"""Render delivery mails from Jinja templates: plain text and HTML, same facts.

Pure: an order record and its links in, a Mail out. Both parts say how often
each file may be downloaded and until when, that each link opens a download
page, where fresh links come from and whom to ask (tests/unit/test_mail.py
checks that the two parts carry the same words and URLs). The HTML template
is autoescaped, so a buyer named `<script>` stays text. The buyer's name and
address arrive normalised by the message contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from common.buyer_data import ascii_address
from common.formatting import human_date
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
    size: str = ""  # "2.4 MB"; blank when the record predates sizes


@dataclass(frozen=True)
class Shop:
    name: str
    links_page: str
    support_email: str
    download_limit: int = 0  # per file; 0: no limit


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
        to=ascii_address(record.buyer_email),
        to_name=record.buyer_name,
        subject=subject,
        text=_ENV.get_template("delivery.txt").render(context),
        html=_ENV.get_template("delivery.html").render(context),
        order_id=record.order_id,
        category="links-resent" if resend else "delivery",
        custom_args={"order_id": record.order_id},
    )
