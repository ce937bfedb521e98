"""Who leaked this? Upload a found PDF or EPUB; see the order(s) it names, and act.

The file is traced as `exlibris trace` does (console/files/_trace.py): the
engine's `trace_file` with the shop's code check, the code index of this
shop's storage, OCR of up to 40 picture-only pages, and the STAMP_MAX_*
limits. The upload is capped at DASHBOARD_MAX_UPLOAD bytes (32 MiB: Cloud
Run's HTTP/1 request limit; app.py sets Flask's MAX_CONTENT_LENGTH from it).
With `report=1` (the form's second button) the answer is the evidence
report of `exlibris trace --report` (console/files/_report.py) as a PDF
download instead of the page. Nothing uploaded is kept: the bytes are read
into memory, traced (and reported on) and dropped, and werkzeug's spooled
temporary file (for uploads over 500 KiB) is closed, which deletes it,
before the page is rendered. Text from the file is
shown cut and escaped (stamping/trace.py's trace_json): the file is the
leaker's.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from common.orders import code_owner
from console.files import authentic_with

# The report's module is left out of console.files' public names so that `exlibris stamp`
# does not load the report's drawing code at start; the dashboard needs it.
from console.files._report import report_pdf
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
def trace_upload() -> tuple[str, int] | Response:
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
    if request.form.get("report") == "1":
        name = printable(upload.filename)[:200]
        store = (deps.storage, settings.delivery_bucket)
        pdf = report_pdf(name, data, found, store, found.notes)
        return Response(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="evidence-report.pdf"'},
        )
    return _answer(result=trace_json(found))


def _answer(
    result: dict[str, Any] | None = None, error: str = "", status: int = 200
) -> tuple[str, int]:
    page = render_template("trace.html", result=result, error=error, limit=_limit_text())
    return page, status


def _limit_text() -> str:
    mib = console().settings.dashboard_max_upload / (1024 * 1024)
    return f"{mib:g} MiB"
