"""/_local: the embedded storage's stand-in for a V4 signed URL (laptop and tests only).

LocalStorage.signed_url points here with an HMAC over bucket, name, expiry and
the download's filename, the way a V4 URL signs a GCS object with its
`response-content-disposition`. The answer names the download exactly as the
GCS adapter asks GCS to (common/storage/disposition.attachment), so both
stacks hand the buyer the same filename. Anyone can reach this route, so a
bucket must look like a bucket name ([a-z0-9._-], no `..`) and any name,
expiry or filename the signature does not cover gets a 403 or 404, never a
5xx.
"""

from __future__ import annotations

import mimetypes
import re

from flask import Blueprint, Response, abort, request

from common.storage import NotFound, StorageError, attachment
from service.deps import current_deps

bp = Blueprint("local_files", __name__)
_BUCKET = re.compile(r"[a-z0-9._-]{1,222}")


@bp.get("/_local/<bucket>/<path:name>")
def local_object(bucket: str, name: str) -> Response:
    """Serve an embedded-storage object behind an HMAC-signed, expiring URL."""
    if not _BUCKET.fullmatch(bucket) or ".." in bucket or not name.isprintable():
        abort(404, "no such file")
    storage = current_deps().storage
    check = getattr(storage, "check_signed", None)
    args = request.args
    filename = args.get("filename", "")
    if check is None or not check(
        bucket, name, args.get("expires", ""), filename, args.get("signature", "")
    ):
        abort(403, "this download URL is invalid or has expired")
    try:
        blob = storage.read(bucket, name)
    except (NotFound, StorageError):
        abort(404, "no such file")
    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = Response(blob.data, mimetype=kind)
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
