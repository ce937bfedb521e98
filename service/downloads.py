"""Durable download links: /d/<token> is a download page; its button gets a short-lived URL.

Mailed links must outlive a V4 signature (12 hours at most on Cloud Run, see
docs/architecture.md), so they point here. GET and HEAD answer a small page (title, each
file of the order with its size and downloads left, the expiry, a Download
button per file: a `<form method="post">` to that file's link) and count
nothing, because mail scanners open every link before the buyer does. The
POST checks the page's signed field and that it does not come from another
site (service/download_access.py), counts one download and answers 303 to a
URL valid for minutes. A copy the bucket's lifecycle rule deleted is asked of
the worker (copy.requested) and the buyer sees "your copy is being
prepared", a page that refreshes itself (no script) until the copy is back.

Answers: 200 page; 303 download; 202 being prepared; 403 not our token, or a
post not made from the page (with the page again, to press once more); 410
expired, refunded or used up (pointing to /links); 503 with Retry-After when
storage, signing or publishing did not answer. Every failure is mapped to its
answer in one table, FAILURES, below.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, redirect, render_template, request

from common.codes import InvalidToken, LinkClaim, read_token
from common.kindle import oversize
from common.messages import CopyRequested, now_iso
from common.publish import PublishError
from common.storage import SigningNotPermitted, StorageError
from service.deps import current_deps
from service.download_access import (
    Busy,
    CopyMissing,
    FormRefused,
    LinkGone,
    LinkView,
    check_form,
    copy_exists,
    cross_site,
    form_field,
    hand_out,
    view_link,
)
from service.imprints import branding
from service.language import N_, Words, say, speak_for_order
from service.request_context import wants_json

log = logging.getLogger(__name__)
bp = Blueprint("downloads", __name__)
REFRESH_SECONDS = 5


@dataclass(frozen=True)
class Failure:
    status: int
    kind: str  # which text link_problem.html shows: invalid, gone, busy
    retry_after: int = 0
    logged: bool = False  # the cause was already logged where it arose (once, at ERROR)


# The one place a failure becomes an answer. The most specific entry wins, so a
# subclass (a signing misconfiguration under StorageError, say) may get its own.
FAILURES: dict[type[Exception], Failure] = {
    InvalidToken: Failure(403, "invalid"),
    LinkGone: Failure(410, "gone"),
    Busy: Failure(503, "busy", retry_after=5),
    StorageError: Failure(503, "busy", retry_after=5),
    # A missing IAM grant: common/storage/signing.py logged it once, naming the role.
    SigningNotPermitted: Failure(503, "busy", retry_after=60, logged=True),
    PublishError: Failure(503, "busy", retry_after=5),
}


BRIEFLY_UNAVAILABLE = N_("the download is briefly unavailable")
# common/codes' words for a link that is not ours: the same English, marked for the catalog.
INVALID_LINK = (N_("malformed link"), N_("this link was altered or not issued by this shop"))


@bp.get("/d/<token>")
def download_page(token: str) -> Response:
    deps = current_deps()
    claim = read_token(deps.settings.stamp_secret, token)
    if request.args.get("preparing") and not copy_exists(deps, claim):
        return _preparing(token, 200)
    notice = N_("Your copy is ready.") if request.args.get("preparing") else ""
    return render_page(view_link(deps, claim), notice=notice)


@bp.post("/d/<token>")
def download(token: str) -> Response:
    deps = current_deps()
    claim = read_token(deps.settings.stamp_secret, token)
    try:
        if cross_site(dict(request.headers), request.host_url):
            raise FormRefused("the form was posted from another site")
        check_form(deps.settings.stamp_secret, token, request.form.get("form", ""), deps.clock())
    except FormRefused as exc:
        view = view_link(deps, claim)  # a link that is gone says so first
        log.warning("download form refused", extra={"order_id": claim.order_id, "why": str(exc)})
        notice = N_("For your safety, press Download on this page to start the download.")
        return render_page(view, notice=notice, status=403)
    try:
        url = hand_out(deps, claim)
    except CopyMissing:
        _ask_for_copy(claim)
        return _preparing(token, 202)
    log.info("download handed out", extra={"order_id": claim.order_id, "file": claim.file_index})
    if not _browser_navigation():
        return redirect(url, code=303)  # type: ignore[return-value]  # werkzeug's, same class
    # A browser stays on the page while the file arrives, so a 303 would leave it showing
    # the count of before. Answer the page as it is now, and let it fetch the file itself.
    try:
        view = view_link(deps, claim, gone_ok=True)  # the last download may have been this one
    except LinkGone:  # refunded that very moment: the file is the buyer's all the same
        return redirect(url, code=303)  # type: ignore[return-value]
    page = render_page(view, notice=N_("Your download has started."), start_url=url)
    page.headers["Cache-Control"] = "no-store"  # the page holds a signed URL
    return page


def _browser_navigation() -> bool:
    """Whether a browser posted the page's form as a navigation (Fetch Metadata).

    Chromium, Firefox and Safari (16.4+) send Sec-Fetch-Mode: navigate and Sec-Fetch-Dest:
    document for a form submitted to the window; scripts, curl and older browsers send
    neither and keep the 303 (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/
    Sec-Fetch-Mode).
    """
    return (
        request.headers.get("Sec-Fetch-Mode") == "navigate"
        and request.headers.get("Sec-Fetch-Dest") == "document"
    )


def render_page(
    view: LinkView,
    *,
    notice: Words | str = "",
    status: int = 200,
    kindle_typed: str = "",
    start_url: str = "",
) -> Response:
    """The download page of a link: a form per file, each posting to that file's /d/<token>.

    Each EPUB gets a Send to Kindle form too (service/kindle_page.py), naming the sender
    address the buyer must approve at Amazon, or saying why the copy cannot be mailed. The
    page speaks the order's language where the store sent one; `start_url` makes it fetch
    a download as soon as it is shown.
    """
    speak_for_order(view.language)
    deps = current_deps()
    settings = deps.settings
    fields = {f.index: form_field(settings.stamp_secret, f.token, deps.clock()) for f in view.files}
    epubs = {f.index: oversize(f.size) for f in view.files if f.filename.lower().endswith(".epub")}
    context = {
        "view": view,
        "fields": fields,
        "notice": say(notice),
        "bad": status >= 400,
        "kindle": epubs,  # index -> why it cannot be mailed (None when it can)
        "kindle_from": settings.sender[1],
        "kindle_typed": kindle_typed,
        "reader_help_url": settings.reader_help_url,
        "start_url": start_url,
    }
    # Under an imprint: its name, colour, logo and sender (the Kindle's mail comes from it).
    page = render_template("download.html", **(context | branding(deps, view.imprint)))
    return Response(page, status=status)


def _preparing(token: str, status: int) -> Response:
    page = render_template("download_preparing.html", token=token, refresh=REFRESH_SECONDS)
    return Response(page, status=status)


def _ask_for_copy(claim: LinkClaim) -> None:
    """Ask the worker to stamp the copy again; it makes it once however often we ask."""
    message = CopyRequested(claim.order_id, claim.file_index, uuid.uuid4().hex, now_iso())
    current_deps().publisher.publish(message)
    log.info("copy requested", extra={"order_id": claim.order_id, "file": claim.file_index})


def failure_answer(exc: Exception) -> Response:
    """The answer FAILURES gives an exception: a page, or JSON to a caller that asks for it."""
    failure = next(FAILURES[kind] for kind in type(exc).__mro__ if kind in FAILURES)
    level = logging.WARNING if failure.status >= 500 else logging.INFO
    if failure.logged:
        level = logging.DEBUG
    log.log(level, "download refused", extra={"status": failure.status, "reason": str(exc)})
    reason = _reason(exc) if failure.status < 500 else BRIEFLY_UNAVAILABLE
    if wants_json(request):
        english = str(reason)
        response = jsonify(error=english if failure.status < 500 else f"{english}; try again")
    else:
        page = render_template("link_problem.html", reason=say(reason), kind=failure.kind)
        response = Response(page)
    response.status_code = failure.status
    if failure.retry_after:
        response.headers["Retry-After"] = str(failure.retry_after)
    return response


def _reason(exc: Exception) -> Words | str:
    """What an exception says: the sentence it was raised with (Words), or its text."""
    said = exc.args[0] if exc.args else ""
    return said if isinstance(said, Words) else str(exc)


for _kind in FAILURES:
    bp.register_error_handler(_kind, failure_answer)
