"""Durable download links: /d/<token> → 303 to a fresh, short-lived signed URL.

Mailed links must outlive a V4 signature (12 hours at most on Cloud Run, see
docs/architecture.md), so they point here. A click checks the token's MAC (403), its
expiry, the order's status and the per-file download count (410 with a page
that says how to get new links), counts the download in the order record
under a generation precondition, and redirects to a URL valid for minutes.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask import send_file as flask_send_file

from common.download_counts import CountContended, count_download, read_count
from common.link_tokens import InvalidToken, read_token
from common.orders import OrderRecord, Status, load_record
from common.storage import NotFound, SigningNotPermitted, StorageError
from service.deps import ServiceDeps, current_deps
from service.request_context import wants_json

log = logging.getLogger(__name__)
bp = Blueprint("downloads", __name__)


class LinkGone(Exception):
    """The link was genuine but can no longer be used; the message says why."""


class Busy(Exception):
    """Too many writers at once; a moment later the same click will work."""


@bp.get("/d/<token>")
def download(token: str) -> Response:
    deps = current_deps()
    try:
        claim = read_token(deps.settings.stamp_secret, token)
    except InvalidToken as exc:
        return _problem(403, str(exc), gone=False)
    try:
        if claim.expires < deps.clock():
            raise LinkGone("this link has expired")
        url = authorise_download(deps, claim.order_id, claim.file_index)
    except LinkGone as exc:
        log.info("download refused", extra={"order_id": claim.order_id, "reason": str(exc)})
        return _problem(410, str(exc), gone=True)
    except SigningNotPermitted:  # a missing IAM grant: the adapter logged it once at ERROR
        return _problem(503, "downloads are paused for a moment; please try again later", busy=True)
    except (Busy, StorageError) as exc:
        log.warning("download deferred", extra={"order_id": claim.order_id, "error": str(exc)})
        return _problem(503, "the download is briefly unavailable; please try again", busy=True)
    log.info("download authorised", extra={"order_id": claim.order_id, "file": claim.file_index})
    return redirect(url, code=303)  # type: ignore[return-value]  # werkzeug's, same class


def _problem(status: int, reason: str, *, gone: bool = False, busy: bool = False) -> Response:
    if wants_json(request):
        response = jsonify(error=reason)
    else:
        response = Response(
            render_template("link_problem.html", reason=reason, gone=gone, busy=busy)
        )
    response.status_code = status
    if busy:
        response.headers["Retry-After"] = "5"
    return response


def authorise_download(deps: ServiceDeps, order_id: str, index: int) -> str:
    """Sign a URL for the file, then count the download; LinkGone when it may not be had.

    Signing first means a failure to sign (IAM signBlob on Cloud Run) costs the
    buyer nothing: the count only goes up for a URL they actually receive.
    """
    bucket = deps.settings.delivery_bucket
    limit = deps.settings.download_limit
    record, _ = load_record(deps.storage, bucket, order_id)
    if record is None or index >= len(record.files):
        raise LinkGone("this order has no such file")
    if record.status == Status.REVOKED:
        raise LinkGone("this order was refunded, so its links no longer work")
    count, _ = read_count(deps.storage, bucket, order_id, index)
    if limit and count >= limit:
        raise LinkGone(f"this file was downloaded {limit} times, the most one link allows")
    delivered = record.files[index]
    url = deps.storage.signed_url(
        bucket,
        delivered.object_name,
        ttl=deps.settings.signed_url_ttl,
        filename=attachment_name(record, delivered.filename),
    )
    try:
        counted = count_download(deps.storage, bucket, order_id, index, limit=limit)
    except CountContended as exc:
        raise Busy(str(exc)) from None
    if counted is None:  # the last download went to a click that raced this one
        raise LinkGone(f"this file was downloaded {limit} times, the most one link allows")
    return url


def attachment_name(record: OrderRecord, filename: str) -> str:
    """'<Title> - <buyer>.<ext>', safe for a Content-Disposition header."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "pdf"
    clean = re.sub(r'[\\/:*?"<>|\r\n]+', " ", f"{record.title} - {record.buyer_name}")
    return f"{' '.join(clean.split())[:150]}.{ext}"


@bp.get("/_local/<bucket>/<path:name>")
def local_object(bucket: str, name: str) -> Response:
    """Serve an embedded-storage object behind an HMAC-signed, expiring URL."""
    storage = current_deps().storage
    check = getattr(storage, "check_signed", None)
    args = request.args
    if check is None or not check(
        bucket, name, args.get("expires", ""), args.get("filename", ""), args.get("signature", "")
    ):
        abort(403, "this download URL is invalid or has expired")
    try:
        blob = storage.read(bucket, name)
    except NotFound:
        abort(404, "no such file")
    return flask_send_file(
        BytesIO(blob.data), as_attachment=True, download_name=args["filename"], max_age=0
    )
