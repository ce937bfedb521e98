"""POST /d/<token>/kindle: Send to Kindle, from the download page (fields `form`, `kindle_email`).

The page's form for an EPUB posts the buyer's Kindle address with the page's signed
field. The checks run in the order that costs the buyer nothing when one refuses: the
link (410 gone, as the Download button), the form came from our page (403), the address
is a Kindle's own (400: only @kindle.com and @free.kindle.com, so this is no way to mail
a book to anyone), the file is an EPUB and fits in one mail after base64 (422, naming the
limit: common/kindle.py), and the rate limits (429: 3 an hour per link's file, 5 an hour
per Kindle address). Then the service publishes KindleRequested, as /links publishes
LinksRequested; it never mails itself. The worker mails the stamped copy to that address
only (worker/use_cases/_kindle.py).

One download is counted after publishing, so a publish that failed (503) costs nothing.
If counting then fails (the count contended, or a click elsewhere took the last download
that very moment) the mail is on its way all the same: the answer still says so, because
a buyer told "try again" would be sent the book twice.

The address is not stored and is logged masked. The answer is the download page with
a notice: what happens next, or why not.
"""

from __future__ import annotations

import logging
import uuid

from flask import Blueprint, Response, request

from common.codes import LinkClaim, read_token
from common.kindle import oversize
from common.logging import mask_email
from common.messages import BuyerDataError, KindleRequested, kindle_address, now_iso
from service.deps import ServiceDeps, current_deps
from service.download_access import (
    Busy,
    FormRefused,
    LinkGone,
    LinkView,
    check_form,
    count_download,
    cross_site,
    view_link,
)
from service.downloads import FAILURES, failure_answer, render_page
from service.language import N_, Words
from service.request_context import limits

log = logging.getLogger(__name__)
bp = Blueprint("kindle_page", __name__)


class KindleRefused(Exception):
    """The request cannot be sent to a Kindle; the message says why, to the buyer."""

    def __init__(self, status: int, reason: Words, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def sent_notice(address: str) -> Words:
    return N_(
        "Sent to %(address)s. If the shop's address is on your Approved Personal Document "
        "E-mail List, the book appears in your Kindle library within a few minutes. "
        "Nothing after 15 minutes? Approve the address (see below) and send it once more.",
        address=address,
    )


# common/messages' reasons for an address that is not a Kindle's, marked for the catalog.
NOT_A_KINDLE = (
    N_("enter your Kindle's e-mail address (it ends in @kindle.com)"),
    N_("that is not an e-mail address"),
    N_(
        "Send to Kindle mails only to a Kindle's own address, ending in @kindle.com "
        "or @free.kindle.com (Amazon shows it under Manage Your Content and Devices)"
    ),
)


@bp.post("/d/<token>/kindle")
def send_to_kindle(token: str) -> Response:
    deps = current_deps()
    claim = read_token(deps.settings.stamp_secret, token)
    view = view_link(deps, claim)  # a link that is gone says so first (410)
    typed = request.form.get("kindle_email", "")[:320]
    try:
        address = _checked(deps, token, view, typed)
    except KindleRefused as exc:
        log.info(
            "kindle request refused",
            extra={"order_id": claim.order_id, "status": exc.status, "why": mask_email(str(exc))},
        )
        response = render_page(view, notice=exc.reason, status=exc.status, kindle_typed=typed)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    message = KindleRequested(
        claim.order_id, claim.file_index, address, uuid.uuid4().hex, now_iso()
    )
    deps.publisher.publish(message)  # PublishError: 503 (FAILURES), nothing counted
    masked = mask_email(address)
    try:
        count_download(deps, claim)
    except (Busy, LinkGone) as exc:
        log.warning(
            "kindle mail requested, download not counted",
            extra={"order_id": claim.order_id, "why": str(exc), "to": masked},
        )
    log.info(
        "kindle mail requested",
        extra={"order_id": claim.order_id, "file": claim.file_index, "to": masked},
    )
    return render_page(view_link_or(view, deps, claim), notice=sent_notice(address))


def _checked(deps: ServiceDeps, token: str, view: LinkView, typed: str) -> str:
    """The Kindle address, once every check passed; KindleRefused with the reason if not."""
    try:
        if cross_site(dict(request.headers), request.host_url):
            raise FormRefused("the form was posted from another site")
        check_form(deps.settings.stamp_secret, token, request.form.get("form", ""), deps.clock())
    except FormRefused:
        refused = N_("For your safety, press Send to Kindle on this page.")
        raise KindleRefused(403, refused) from None
    try:
        address = kindle_address(typed)
    except BuyerDataError as exc:
        raise KindleRefused(400, N_("Not sent: %(why)s.", why=Words(str(exc)))) from None
    file = view.files[view.index]
    if not file.filename.lower().endswith(".epub"):
        raise KindleRefused(400, N_("Not sent: only an EPUB can be sent to a Kindle."))
    if oversize(file.size):  # the page names the sizes beside the form
        raise KindleRefused(422, N_("Not sent: this copy is too large to mail to a Kindle."))
    page_limits = limits()
    # A request the address's limit refuses has used one of the link's: never more mail.
    wait = page_limits.kindle_per_link.hit(f"{view.order_id}/{file.index}")
    if not wait:
        wait = page_limits.kindle_per_address.hit(address.lower())
    if wait:
        minutes = max(1, round(wait / 60))
        reason = N_(
            "Not sent: this book was sent often just now; try again in %(minutes)s min.",
            minutes=minutes,
        )
        raise KindleRefused(429, reason, retry_after=wait)
    return address


def view_link_or(view: LinkView, deps: ServiceDeps, claim: LinkClaim) -> LinkView:
    """The page's facts after the count; the ones before if that was the last download."""
    try:
        return view_link(deps, claim)
    except LinkGone:
        return view


for _kind in FAILURES:
    bp.register_error_handler(_kind, failure_answer)
