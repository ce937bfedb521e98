"""`/`: the overview. Until its charts land (dashboard/overview), a page of where to go."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def overview() -> str:
    return render_template("home.html")
