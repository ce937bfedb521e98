"""Who leaked this? Upload a found PDF or EPUB; see the order(s) it names, and act.

The file is traced as `exlibris trace` does (console/files/_trace.py): the
engine's `trace_file` with the shop's code check, the code index of this
shop's storage, OCR of up to 40 picture-only pages, and the STAMP_MAX_*
limits. The upload is capped at DASHBOARD_MAX_UPLOAD bytes (32 MiB: Cloud
Run's HTTP/1 request limit; app.py sets Flask's MAX_CONTENT_LENGTH from it).
Nothing uploaded is kept: the bytes are read into memory, traced and
dropped, and werkzeug's spooled temporary file (for uploads over 500 KiB) is
closed, which deletes it, before the page is rendered. Text from the file is
shown cut and escaped (stamping/trace.py's trace_json): the file is the
leaker's.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import Blueprint, abort, render_template, request

from common.orders import code_owner
from console.files import authentic_with
from dashboard._pages import console
from stamping.formats import trace_file
from stamping.ocr import read_footers
from stamping.stamp import TraceError
from stamping.trace import printable, trace_json

bp = Blueprint("leaks", __name__)
log = logging.getLogger(__name__)

OCR_PAGES = 40  # `exlibris trace`'s default --ocr-pages


@bp.get("/trace")
def trace_page() -> str:
    return _answer()[0]


@bp.post("/trace")
def trace_upload() -> tuple[str, int]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, "choose a PDF or EPUB file to upload")
    try:
        data = upload.stream.read()
    finally:
        upload.close()  # a spooled temporary file is deleted as it closes
    deps = console()
    settings = deps.settings
    check = authentic_with(
        settings.stamp_secret,
        lambda serial: code_owner(deps.storage, settings.delivery_bucket, serial),
    )
    try:
        found = trace_file(data, check, partial(read_footers, limit=OCR_PAGES), settings.limits)
    except TraceError as exc:
        return _answer(error=printable(str(exc)), status=400)
    except Exception as exc:  # a bug of ours must not look like a fault of the file
        log.exception("trace failed")
        return _answer(error=f"trace failed ({type(exc).__name__}); please report it", status=422)
    return _answer(result=trace_json(found))


def _answer(
    result: dict[str, Any] | None = None, error: str = "", status: int = 200
) -> tuple[str, int]:
    page = render_template("trace.html", result=result, error=error, limit=_limit_text())
    return page, status


def _limit_text() -> str:
    mib = console().settings.dashboard_max_upload / (1024 * 1024)
    return f"{mib:g} MiB"
