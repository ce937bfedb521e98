"""Orders: search, one order's page and its actions, and `GET /api/orders`.

Search reads through the indexes (console/listing.py): one box takes an email,
an order id, a product slug or a date (orders since then); empty, the last 30
days. Buyers are masked unless `show=1`. The form posts (so a searched email
stays out of request logs); `GET /orders?q=` answers the same. The actions
are the console's (console/actions.py) with the signed-in actor as `--by`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from common.orders import RESTORABLE, OrderQuery, OrderRecord, Status
from console.actions import request_resend, request_restore, request_revoke
from console.errors import ConsoleError
from console.listing import find_orders, order_detail
from console.views import buyer_of, downloads_of, summary
from dashboard._pages import actor, checked_order_id, console, is_order_id, refuse, shown

bp = Blueprint("orders", __name__)

RECENT_DAYS = 30
SHOWN = 200  # rows on the page; the API's `limit` goes up to MAX_LIMIT
MAX_LIMIT = 10_000
NOTES = {
    "resent": "Re-send requested: the worker mails the links again.",
    "resent-to": "Re-send to the corrected address requested.",
    "revoked": "Revocation requested: the links answer 410 once the worker has run.",
    "revoked-already": "The order was revoked already.",
    "restored": "Restore requested.",
    "given": "Gift given: the worker stamps and mails the copy; this page follows it.",
}


@bp.route("/orders", methods=["GET", "POST"])
def orders_page() -> str:
    values = request.form if request.method == "POST" else request.args
    text, show = values.get("q", "").strip()[:200], shown(values.get("show", ""))
    query, what = _query_of(text)
    if query is None:
        loaded = _by_id(text)
    else:
        loaded = find_orders(console(), query, imprint=_imprint_of(text, query))
    rows = [_row(record, downloads, show) for record, downloads in loaded[-SHOWN:]][::-1]
    return render_template(
        "orders.html", q=text, show=show, rows=rows, what=what, total=len(loaded), shown=SHOWN
    )


def _query_of(text: str) -> tuple[OrderQuery | None, str]:
    """The index query the search box names, and how it was read; None: an order id."""
    today = datetime.now(UTC).date()
    if not text:
        since = today - timedelta(days=RECENT_DAYS)
        return OrderQuery(since=since), f"orders of the last {RECENT_DAYS} days"
    if "@" in text:
        return OrderQuery(email=text), "orders of this address"
    try:
        return OrderQuery(since=date.fromisoformat(text)), f"orders since {text}"
    except ValueError:
        pass
    if text in {p.slug for p in console().catalog().products}:
        return OrderQuery(product=text), f"orders of {text}"
    if text in {i.slug for i in console().catalog().imprints}:
        return OrderQuery(), f"orders under {text}"
    return None, "the order with this id"


def _imprint_of(text: str, query: OrderQuery) -> str | None:
    """An imprint's slug typed alone: every order (no index names one) sold under it."""
    return text if query == OrderQuery() and console().catalog().imprint(text) else None


def _by_id(text: str) -> list[tuple[OrderRecord, tuple[int, ...]]]:
    if not is_order_id(text):
        return []
    record, _ = console().orders.load(text)
    return [] if record is None else [(record, downloads_of(console().orders, record))]


def _row(record: OrderRecord, downloads: tuple[int, ...], show: bool) -> dict[str, Any]:
    return summary(record, downloads, show_buyer=show)


@bp.get("/orders/<order_id>")
def order_page(order_id: str) -> str:
    try:
        view = order_detail(console(), checked_order_id(order_id))
    except ConsoleError as exc:
        refuse(exc)
    show = shown(request.args.get("show", ""))
    record, _ = console().orders.load(order_id)
    assert record is not None
    view["buyer_name"], view["buyer_email"] = buyer_of(record, show=show)
    if not show:
        view["mail_to"] = view["buyer_email"] if record.mail_to == record.buyer_email else "***"
        view["email_changes"] = []
    return render_template(
        "order.html",
        order=view,
        show=show,
        note=NOTES.get(request.args.get("note", ""), ""),
        deliverable=record.deliverable,
        revoked=record.status == Status.REVOKED,
        restorable=record.status == Status.REVOKED and record.revoked_reason in RESTORABLE,
    )


@bp.post("/orders/<order_id>/resend")
def resend(order_id: str) -> WerkzeugResponse:
    to, reason = request.form.get("to", "").strip(), request.form.get("reason", "")
    try:
        request_resend(console(), checked_order_id(order_id), to, reason, actor())
    except ConsoleError as exc:
        refuse(_in_words(exc))
    return _back(order_id, "resent-to" if to else "resent")


@bp.post("/orders/<order_id>/revoke")
def revoke(order_id: str) -> WerkzeugResponse:
    try:
        before = request_revoke(
            console(), checked_order_id(order_id), request.form.get("reason", ""), actor()
        )
    except ConsoleError as exc:
        refuse(_in_words(exc))
    return _back(order_id, "revoked-already" if before.status == Status.REVOKED else "revoked")


@bp.post("/orders/<order_id>/restore")
def restore(order_id: str) -> WerkzeugResponse:
    try:
        request_restore(console(), checked_order_id(order_id), request.form.get("reason", ""))
    except ConsoleError as exc:
        refuse(_in_words(exc))
    return _back(order_id, "restored")


def _back(order_id: str, note: str) -> WerkzeugResponse:
    """Post, then redirect: a reload of the order's page does not repeat the action."""
    return redirect(url_for("orders.order_page", order_id=order_id, note=note), code=303)


def _in_words(exc: ConsoleError) -> ConsoleError:
    """The console's sentence with its flags named as the page's fields."""
    text = str(exc).replace("--to ADDRESS", "a corrected address").replace("--to", "an address")
    return type(exc)(text.replace("--reason", "a reason"))


@bp.get("/api/orders")
def api_orders() -> WerkzeugResponse:
    """What `exlibris orders --json` answers, with its flags as query parameters."""
    args = request.args
    try:
        since = date.fromisoformat(args["since"]) if args.get("since") else None
        limit = int(args.get("limit") or 0)
    except ValueError:
        abort(400, "since: a date like 2026-05-01; limit: a whole number")
    status = args.get("status") or None
    if status is not None and status not in {s.value for s in Status}:
        abort(400, f"status: one of {', '.join(s.value for s in Status)}")
    if not 0 <= limit <= MAX_LIMIT:
        abort(400, f"limit: 0 (all) to {MAX_LIMIT}")
    email, product = args.get("email") or None, args.get("product") or None
    imprint = args.get("imprint") or None
    if imprint is not None and console().catalog().imprint(imprint) is None:
        abort(400, "imprint: the slug of one of the catalog's [imprints.<slug>]")
    query = OrderQuery(email=email, product=product, since=since)
    loaded = find_orders(console(), query, status=status, limit=limit, imprint=imprint)
    show = shown(args.get("show_buyers", ""))
    return jsonify([summary(record, downloads, show_buyer=show) for record, downloads in loaded])
