"""`/`: the overview, the shop at a glance (dashboard/overview), read through the stats indexes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template

from console.letters import all_letters
from dashboard._pages import console
from dashboard.overview import overview, render_overview

bp = Blueprint("home", __name__)


@bp.get("/")
def overview_page() -> str:
    deps = console()
    today = datetime.fromtimestamp(deps.clock(), UTC).date()
    letters = [letter for _, letter in all_letters(deps)]
    figures = overview(deps.orders, today=today, dead_letters=letters)
    return render_template("home.html", overview=render_overview(figures))
