"""Durable download links: /d/<token> → 303 to a fresh, short-lived signed URL.

Mailed links must outlive a V4 signature (12 hours at most on Cloud Run, see
DESIGN.md), so they point here. A click checks the token's MAC (403), its
expiry, the order's status and the per-file download count (410 with a page
that says how to get new links), counts the download in the order record
under a generation precondition, and redirects to a URL valid for minutes.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask import send_file as flask_send_file

from common.codes import InvalidToken, read_token
from common.orders import REVOKED, OrderRecord, load_record, save_record
from common.storage import NotFound, PreconditionFailed
from service.bootstrap import ServiceDeps

log = logging.getLogger(__name__)
bp = Blueprint("downloads", __name__)
_COUNT_ATTEMPTS = 8


class LinkGone(Exception):
    """The link was genuine but can no longer be used; the message says why."""


def _deps() -> ServiceDeps:
    return current_app.extensions["exlibris"]


@bp.get("/d/<token>")
def download(token: str) -> Response | tuple[str, int]:
    deps = _deps()
    try:
        claim = read_token(deps.settings.stamp_secret, token)
    except InvalidToken as exc:
        return render_template("link_problem.html", reason=str(exc), gone=False), 403
    try:
        if claim.expires < deps.clock():
            raise LinkGone("this link has expired")
        record = count_download(deps, claim.order_id, claim.file_index)
    except LinkGone as exc:
        log.info("download refused", extra={"order_id": claim.order_id, "reason": str(exc)})
        return render_template("link_problem.html", reason=str(exc), gone=True), 410
    delivered = record.files[claim.file_index]
    url = deps.storage.signed_url(
        deps.settings.delivery_bucket,
        delivered.object_name,
        ttl=deps.settings.signed_url_ttl,
        filename=attachment_name(record, delivered.filename),
    )
    log.info("download authorised", extra={"order_id": record.order_id, "file": claim.file_index})
    return redirect(url, code=303)


def count_download(deps: ServiceDeps, order_id: str, index: int) -> OrderRecord:
    """Add one download to the order record, or raise LinkGone."""
    limit = deps.settings.download_limit
    for _ in range(_COUNT_ATTEMPTS):
        record, generation = load_record(deps.storage, deps.settings.delivery_bucket, order_id)
        if record is None or index >= len(record.files):
            raise LinkGone("this order has no such file")
        if record.status == REVOKED:
            raise LinkGone("this order was refunded, so its links no longer work")
        counts = list(record.downloads) + [0] * (len(record.files) - len(record.downloads))
        if limit and counts[index] >= limit:
            raise LinkGone(f"this file was downloaded {limit} times, the most one link allows")
        counts[index] += 1
        try:
            save_record(
                deps.storage,
                deps.settings.delivery_bucket,
                record.advanced(downloads=tuple(counts)),
                generation,
            )
            return record
        except PreconditionFailed:
            continue
    raise LinkGone("too many downloads at once; please try again in a moment")


def attachment_name(record: OrderRecord, filename: str) -> str:
    """'<Title> - <buyer>.<ext>', safe for a Content-Disposition header."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "pdf"
    clean = re.sub(r'[\\/:*?"<>|\r\n]+', " ", f"{record.title} - {record.buyer_name}")
    return f"{' '.join(clean.split())[:150]}.{ext}"


@bp.get("/_local/<bucket>/<path:name>")
def local_object(bucket: str, name: str) -> Response:
    """Serve an embedded-storage object behind an HMAC-signed, expiring URL."""
    storage = _deps().storage
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
    from io import BytesIO

    return flask_send_file(
        BytesIO(blob.data), as_attachment=True, download_name=args["filename"], max_age=0
    )
