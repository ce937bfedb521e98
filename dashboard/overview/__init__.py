"""The dashboard's overview: the shop at a glance, read through the stats indexes.

`overview(orders, today=…, dead_letters=…)` gathers the figures (_overview.py),
`render_chart(series)` draws one as inline SVG with a table (_chart.py), and
`render_overview(figures)` gives the whole section as markup (_page.py). No
Flask here: the dashboard's route calls these and places the result.
"""

from dashboard.overview._chart import PALETTE, render_chart
from dashboard.overview._overview import Health, OpenOrder, Overview, Series, overview
from dashboard.overview._page import render_overview

__all__ = [
    "PALETTE",
    "Health",
    "OpenOrder",
    "Overview",
    "Series",
    "overview",
    "render_chart",
    "render_overview",
]
