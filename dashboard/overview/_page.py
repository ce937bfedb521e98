"""The overview as one piece of markup, for the dashboard's front page to place.

Rendered with its own Jinja environment (autoescaping on, like Flask's), so the
package needs no Flask and the app includes `render_overview(overview(...))`
wherever its layout wants it.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from dashboard.overview._chart import render_chart
from dashboard.overview._overview import WEEKS, Overview

_CHARTS = (
    "sales_by_day",
    "deliveries_by_day",
    "sales_by_week",
    "deliveries_by_week",
    "downloads_by_day",
    "downloads_by_week",
)
_JINJA = Environment(
    loader=PackageLoader("dashboard.overview", "templates"),
    autoescape=select_autoescape(default=True),
)


def render_overview(figures: Overview) -> Markup:
    """The overview's section: delivery health, the open orders, every chart."""
    charts = {name: render_chart(getattr(figures, name)) for name in _CHARTS}
    html = _JINJA.get_template("overview.html").render(
        h=figures.health, charts=charts, weeks=WEEKS, log_figures=figures.log_figures
    )
    return Markup(html)  # noqa: S704 - rendered with autoescaping on
