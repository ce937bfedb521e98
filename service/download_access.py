"""What a durable link may have: the download page's facts, and handing one download out.

Mail scanners (Outlook Safe Links, Gmail's proxy, Barracuda...) open every link
of a mail, with HEAD and GET, before the buyer does. So looking at a link
(`view_link`) reads and counts nothing; only `hand_out`, behind the page's
POST, counts one download, and only when a file is actually handed out: the
URL is signed first (a signing failure costs nothing) and a copy the bucket's
lifecycle rule deleted is reported as CopyMissing (the caller asks the worker
for a new one) instead of a URL to nothing. Each counted download also leaves
a dated marker (common/stats) that the author's overview counts.

The page's form carries a signed field (a MAC over the link's token and the
time the page was made, valid a day) and the POST must not come from another
site (Sec-Fetch-Site, Origin), so a page elsewhere cannot spend a buyer's
downloads. No Flask here: the route hands in the headers it read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from common.codes import FormValueRefused, LinkClaim, form_value, form_value_age, make_token
from common.orders import (
    CountContended,
    OrderRecord,
    Status,
)
from common.stats import note_download
from common.storage import StorageError
from service.deps import ServiceDeps
from service.language import N_

log = logging.getLogger(__name__)
_FORM = "download-form"  # the purpose its MAC key is derived for
FORM_TTL = 24 * 3600  # a page left open overnight still works; older ones ask for one more press


class LinkGone(Exception):
    """The link was genuine but can no longer be used; the message says why."""


class Busy(Exception):
    """Too many writers at once; a moment later the same click will work."""


class FormRefused(Exception):
    """The POST did not come from our download page (or the page is too old)."""


class CopyMissing(Exception):
    """The copy is gone (the bucket's lifecycle rule); the worker must stamp it again."""


@dataclass(frozen=True)
class FileView:
    index: int
    filename: str
    size: int
    token: str  # the link of this file, same expiry as the one opened
    left: int | None  # downloads left; None: no limit
    gone: str  # why it cannot be downloaded ("" when it can)


@dataclass(frozen=True)
class LinkView:
    order_id: str
    title: str
    expires: int
    limit: int
    index: int  # the file the opened link names
    files: tuple[FileView, ...]
    imprint: str = ""  # the catalog imprint the order was sold under ("": the shop's own)
    language: str = ""  # the store's locale for the buyer, as the record holds it


def view_link(deps: ServiceDeps, claim: LinkClaim, *, gone_ok: bool = False) -> LinkView:
    """Every file of the order with its own count; LinkGone if this link's file is not to be had.

    `gone_ok`: the page right after a download, which may have been the file's last.
    """
    record = _live_record(deps, claim)
    limit = deps.settings.download_limit
    files = []
    for n, delivered in enumerate(record.files):
        left = None if not limit else max(0, limit - _count(deps, record.order_id, n))
        gone = "refunded" if delivered.revoked_at else ("used up" if left == 0 else "")
        token = make_token(deps.settings.stamp_secret, LinkClaim(record.order_id, n, claim.expires))
        files.append(FileView(n, delivered.filename, delivered.size, token, left, gone))
    if not gone_ok:
        _refuse_if_gone(files[claim.file_index].gone, limit)
    imprint = deps.catalog.sold_under(record.imprint, record.products)
    return LinkView(
        record.order_id,
        record.title,
        claim.expires,
        limit,
        claim.file_index,
        tuple(files),
        imprint.slug if imprint else "",
        record.language,
    )


def copy_exists(deps: ServiceDeps, claim: LinkClaim) -> bool:
    """Whether the stamped copy the link names is stored (the lifecycle rule may have taken it)."""
    return _stored(deps, _live_record(deps, claim), claim.file_index)


def hand_out(deps: ServiceDeps, claim: LinkClaim) -> str:
    """Sign a URL for the file, then count the download; LinkGone or CopyMissing if not."""
    record = _live_record(deps, claim)
    index, limit = claim.file_index, deps.settings.download_limit
    delivered = record.files[index]
    count = _count(deps, record.order_id, index)
    _refuse_if_gone("refunded" if delivered.revoked_at else "", limit)
    _refuse_if_gone("used up" if limit and count >= limit else "", limit)
    if not _stored(deps, record, index):
        raise CopyMissing(f"copy {index} of {record.order_id} is gone")
    url = deps.orders.signed_url(
        delivered.object_name,
        ttl=deps.settings.signed_url_ttl,
        filename=attachment_name(record, delivered.filename),
    )
    _count_one(deps, record.order_id, index)
    return url


def count_download(deps: ServiceDeps, claim: LinkClaim) -> None:
    """Count one download of the file without handing a URL out (a copy mailed to a Kindle)."""
    record = _live_record(deps, claim)
    if record.files[claim.file_index].revoked_at:
        _refuse_if_gone("refunded", deps.settings.download_limit)
    _count_one(deps, record.order_id, claim.file_index)


def _count_one(deps: ServiceDeps, order_id: str, index: int) -> None:
    limit = deps.settings.download_limit
    try:
        counted = deps.orders.count_download(order_id, index, limit=limit)
    except CountContended as exc:
        raise Busy(str(exc)) from None
    if counted is None:  # the last download went to a click that raced this one
        _refuse_if_gone("used up", limit)
    else:
        _note_download(deps, order_id, index, counted)


def _note_download(deps: ServiceDeps, order_id: str, index: int, count: int) -> None:
    """Mark the download for the author's overview; a failure costs the chart one, not the buyer."""
    day = datetime.fromtimestamp(deps.clock(), UTC).date()
    try:
        note_download(deps.orders.storage, deps.orders.bucket, order_id, index, count, day=day)
    except StorageError as exc:
        log.warning("download not marked", extra={"order_id": order_id, "reason": str(exc)})


def _refuse_if_gone(gone: str, limit: int) -> None:
    if gone == "refunded":
        raise LinkGone(N_("this file was refunded, so its link no longer works"))
    if gone == "used up":
        raise LinkGone(
            N_("this file was downloaded %(limit)s times, the most one link allows", limit=limit)
        )


def _count(deps: ServiceDeps, order_id: str, index: int) -> int:
    return deps.orders.read_count(order_id, index)[0]


def _stored(deps: ServiceDeps, record: OrderRecord, index: int) -> bool:
    return deps.orders.has(record.files[index].object_name)


def _live_record(deps: ServiceDeps, claim: LinkClaim) -> OrderRecord:
    if claim.expires < deps.clock():
        raise LinkGone(N_("this link has expired"))
    record, _ = deps.orders.load(claim.order_id)
    if record is None or not 0 <= claim.file_index < len(record.files):
        raise LinkGone(N_("this order has no such file"))
    if record.status == Status.REVOKED:
        raise LinkGone(N_("this order was refunded, so its links no longer work"))
    if not record.deliverable:
        raise LinkGone(N_("this order has no such file"))  # not stamped yet: nothing to hand out
    return record


def attachment_name(record: OrderRecord, filename: str) -> str:
    """'<Title> - <buyer>.<ext>'; the storage adapters make it a safe Content-Disposition."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "pdf"
    named = f"{record.title} - {record.buyer_name}"
    clean = "".join(" " if ch in '\\/:*?"<>|' else ch for ch in named)
    return f"{' '.join(clean.split())[:150]}.{ext}"


def form_field(secret: str, token: str, now: float) -> str:
    """The signed value the page's form posts back: when the page was made, and a MAC."""
    return form_value(secret, _FORM, token, now)


def check_form(secret: str, token: str, value: str, now: float) -> None:
    """Raise FormRefused unless `value` came from this link's page, made within FORM_TTL."""
    try:
        age = form_value_age(secret, _FORM, token, value, now)
    except FormValueRefused:
        raise FormRefused("the form was not posted from the download page") from None
    if not -60 <= age <= FORM_TTL:
        raise FormRefused("the download page was open too long")


def cross_site(headers: Mapping[str, str], own_url: str) -> bool:
    """True when the browser says the POST came from another site.

    Origin is "null" for our own form (the pages send Referrer-Policy: no-referrer),
    so only a real other origin counts against it; the signed field does the rest.
    """
    if headers.get("Sec-Fetch-Site", "") in ("cross-site", "same-site"):
        return True
    origin = headers.get("Origin", "")
    if not origin or origin == "null":
        return False
    own = urlsplit(own_url)
    return origin.rstrip("/") != f"{own.scheme}://{own.netloc}"
