"""Mail a buyer durable links to their copies; shared by fulfilment, re-sends and re-issues.

Each link is PUBLIC_URL/d/<token>, where the token names the order and the
file and expires after LINK_TTL. It opens the service's download page, whose
Download button turns into a short-lived signed URL, so links outlive any
storage signature and a mail scanner opening them uses nothing up. Files
revoked by a partial refund get no link.

A failure of the mail adapter is decided here, on purpose: MailError says
whether the mail may have gone out (keep the claim) or not (release it; a
transient one retries, a permanent one is dead-lettered). Anything else an
adapter raises is a bug met before sending (adapters raise MailError once a
request has left), so the claim is released and the message dead-lettered for
the author to replay once it is fixed, instead of an order stuck in `mailing`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from common.codes import LinkClaim, make_token
from common.i18n import choose, human_size
from common.orders import OrderRecord
from worker.deps import WorkerDeps
from worker.errors import MailOutcomeUnknown, PermanentError, TransientError
from worker.mail import Link, Mail, MailError, Shop, render_delivery, render_new_edition

log = logging.getLogger(__name__)


def mail_language(record: OrderRecord, deps: WorkerDeps, asked: str = "") -> str:
    """The language a buyer's mail speaks: the order's, else that of the page that asked
    for it (/links), else SHOP_LANGUAGE; a worker has no browser to ask."""
    return choose(order=record.language or asked, shop=deps.settings.shop_language)


def durable_links(
    record: OrderRecord,
    deps: WorkerDeps,
    indexes: tuple[int, ...] | None = None,
    language: str = "en",
) -> tuple[list[Link], int]:
    """A link per file (the given ones, all by default) and when they expire."""
    settings = deps.settings
    expires = int(deps.clock()) + settings.link_ttl
    base = settings.public_url.rstrip("/")
    secret = settings.stamp_secret
    wanted = range(len(record.files)) if indexes is None else indexes
    links = [
        Link(
            record.files[n].filename,
            f"{base}/d/{make_token(secret, LinkClaim(record.order_id, n, expires))}",
            human_size(record.files[n].size, language),
        )
        for n in wanted
        if not record.files[n].revoked_at
    ]
    return links, expires


def mail_links(
    record: OrderRecord, deps: WorkerDeps, *, resend: bool, key: str = "", asked: str = ""
) -> str:
    """Render and send the links mail (under `key`, see Mail.key); return its message id.

    `asked`: the language of the page a buyer asked for fresh links on, for an order
    the store named none for.
    """
    language = mail_language(record, deps, asked)
    links, expires = durable_links(record, deps, language=language)
    shop = shop_of(deps, record)
    mail = render_delivery(record, links, expires, shop, resend=resend, language=language)
    return send_mail(replace(mail, key=key), deps)


def mail_new_edition(
    record: OrderRecord, deps: WorkerDeps, title: str, indexes: tuple[int, ...]
) -> str:
    """Send the one "a new edition is ready" mail with links to these files."""
    language = mail_language(record, deps)
    links, expires = durable_links(record, deps, indexes, language)
    shop = shop_of(deps, record)
    mail = render_new_edition(record, title, links, expires, shop, language=language)
    return send_mail(mail, deps)


def shop_of(deps: WorkerDeps, record: OrderRecord) -> Shop:
    """Whom the order's mails are from: the imprint it was sold under, else the shop."""
    settings = deps.settings
    shop = Shop(
        name=settings.shop_name,
        links_page=f"{settings.public_url.rstrip('/')}/links",
        support_email=settings.support_email or settings.sender[1],
        download_limit=settings.download_limit,
    )
    imprint = deps.catalog.sold_under(record.imprint, record.products)
    if imprint is None:
        return shop
    name, address = imprint.sender
    return replace(
        shop,
        name=imprint.shop_name,
        support_email=imprint.support,
        accent=imprint.accent_color or shop.accent,
        from_name=name,
        from_address=address,
    )


def send_mail(mail: Mail, deps: WorkerDeps) -> str:
    """Send through the mail port; map its failure onto the worker's errors."""
    try:
        return deps.mailer.send(mail)
    except MailError as exc:
        # One ERROR line per failed send: the log-based metric mail_failures counts these.
        log.error(
            "mail failed",
            extra={"event": "mail_failed", "order_id": mail.order_id, "reason": str(exc)},
        )
        if exc.maybe_sent:
            raise MailOutcomeUnknown(f"mail may have been sent: {exc}") from exc
        if exc.transient:
            raise TransientError(f"mail not sent: {exc}") from exc
        raise PermanentError(f"mail rejected: {exc}") from exc
    except Exception as exc:  # an adapter bug, met before anything was sent (see above)
        log.exception(
            "mail adapter failed before sending",
            extra={"event": "mail_failed", "order_id": mail.order_id},
        )
        raise PermanentError(f"mail not sent, the mail adapter failed: {exc!r}") from exc
