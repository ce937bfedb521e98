"""The README's overview picture (tools/render_overview.py) shows what the shop sold.

The tool's core runs two weeks of generated sales, downloads and refunds
through the real service and worker with a moved clock; the dashboard, served
on loopback with the same "today", is read in Chromium. Its "Sales per week"
and "Downloads per week" tables must equal what the generator did, week by
week and product by product, so the tool cannot draw an empty or a shifted
chart without this failing.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from common.stats import week_of
from tools.render_overview import run_history, shoot

WEEKS = 26  # the overview's weekly window (dashboard/overview)


def table(page: Any, caption: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the figures under the chart whose caption is `caption`."""
    figure = page.locator("figure.chart").filter(has=page.get_by_text(caption, exact=True))
    head = figure.locator("thead th").all_text_contents()
    rows = [r.locator("th, td").all_text_contents() for r in figure.locator("tbody tr").all()]
    return head, rows


def weeks_shown(today: date) -> list[date]:
    return [week_of(today) - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def test_the_overview_counts_every_generated_sale_in_its_week(
    chromium: Any, tmp_path: Path
) -> None:
    history = run_history(tmp_path / "shop", weeks=2)
    products = sorted({product for _, product in history.sold})
    assert len(products) == 2 and sum(history.sold.values()) > 10  # something worth drawing
    read: dict[str, tuple[list[str], list[list[str]]]] = {}

    def figures(page: Any) -> None:
        read.update({c: table(page, c) for c in ("Sales per week", "Downloads per week")})

    out = tmp_path / "overview.png"
    shoot(chromium, history, out, see=figures)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    head, rows = read["Sales per week"]
    assert sorted(head[1:-1]) == products and head[-1] == "Total"
    assert [row[0] for row in rows] == [
        f"week of {w.day} {w:%b}" for w in weeks_shown(history.today)
    ]
    for week, row in zip(weeks_shown(history.today), rows, strict=True):
        counts = dict(zip(head[1:-1], (int(n) for n in row[1:-1]), strict=True))
        assert counts == {p: history.sold[(week, p)] for p in products}, week
        assert int(row[-1]) == sum(counts.values())
    assert [int(row[-1]) for row in read["Downloads per week"][1]] == [
        history.downloads[w] for w in weeks_shown(history.today)
    ]
    assert sum(history.downloads.values()) > 0
