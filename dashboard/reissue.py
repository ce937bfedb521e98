"""New edition: pick a product, see the dry run, start it, and watch it run.

The plan is the console's (console/reissue_plan.py), and so are the messages
(console/reissue.py's `reissue_message`): starting publishes one per order
to mail, in this request, under a new request id. Progress is the worker's
markers for the edition, read on every load, so re-loading the page (or
opening it anywhere else) resumes the view; while orders remain the page
refreshes itself every few seconds (a meta refresh: no script).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from console.errors import ConsoleError
from console.reissue import reissue_message
from console.reissue_plan import plan_reissue
from console.views import buyer_of
from dashboard._pages import console, refuse

bp = Blueprint("reissue", __name__)

LISTED = 200  # orders shown in the dry run's table
REFRESH_SECONDS = 3


@bp.get("/reissue")
def products() -> str:
    return render_template("reissue_index.html", products=console().catalog().products)


@bp.get("/reissue/<product>")
def reissue_page(product: str) -> str:
    deps = console()
    try:
        plan = plan_reissue(deps, product[:200], None)
    except ConsoleError as exc:
        refuse(exc)
    request_id = request.args.get("request", "")[:64]
    markers = deps.orders.read_progress(plan.product.slug, plan.edition, request_id)
    rows = [(r.order_id, *buyer_of(r, show=False), r.created_at) for r in plan.to_mail[:LISTED]]
    running = bool(request_id) and bool(plan.to_mail)
    return render_template(
        "reissue.html",
        plan=plan,
        rows=rows,
        done=len(markers.done),
        failed=sorted(markers.failed.items()),
        request_id=request_id,
        refresh=REFRESH_SECONDS if running else 0,
        skipped=sorted(plan.skipped.items()),
    )


@bp.post("/reissue/<product>")
def start(product: str) -> WerkzeugResponse:
    deps = console()
    try:
        plan = plan_reissue(deps, product[:200], None)
    except ConsoleError as exc:
        refuse(exc)
    request_id = uuid.uuid4().hex
    publisher = deps.publisher()
    for record in plan.to_mail:
        publisher.publish(reissue_message(plan, record.order_id, request_id))
    deps.drain(60.0)
    target = url_for("reissue.reissue_page", product=plan.product.slug, request=request_id)
    return redirect(target, code=303)
