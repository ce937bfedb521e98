"""Gifts: give a review copy, as `exlibris give PRODUCT --name --email --note` does.

The page calls common/gifts.py's `give_copy`, the one entry the console uses
too: an order.paid of merchant `gift`, stamped, recorded and mailed by the
worker like a sale. The form posts, and the answer redirects to the new
order's page, which follows it as it is stamped and mailed.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from common.gifts import GiftError, give_copy
from dashboard._pages import console

bp = Blueprint("gifts", __name__)


@bp.get("/gifts")
def gifts_page() -> str:
    return render_template("gifts.html", products=console().catalog().products)


@bp.post("/gifts")
def give() -> WerkzeugResponse:
    deps = console()
    form = request.form
    try:
        order_id = give_copy(
            deps.publisher(),
            deps.catalog(),
            product=form.get("product", ""),
            name=form.get("name", "").strip(),
            email=form.get("email", "").strip(),
            note=form.get("note", "").strip(),
        )
    except GiftError as exc:
        abort(400, str(exc))
    deps.drain(60.0)
    return redirect(url_for("orders.order_page", order_id=order_id, note="given"), code=303)
