"""Bar charts as server-rendered SVG: no JavaScript, nothing loaded, nothing inline to allow.

A chart is inline SVG in the page, so the dashboard's strict CSP (no inline
script or style, nothing from elsewhere) has nothing to refuse: the drawing is
made of presentation attributes (fill, stroke, font-size), never a `style`
attribute or a <style> element. Text and axes are `currentColor`, so they take
the page's colour in light and dark mode alike, and every bar colour keeps a
contrast of at least 3:1 (WCAG 2.1 SC 1.4.11, non-text contrast) against a
white page and a near-black one (tests/unit/dashboard check PALETTE). Each
segment also carries a class (`series-N`), for a stylesheet that wants others.

Accessible: the <svg> is `role="img"` and named by its <title> and <desc>
(aria-labelledby), each bar says its figures in a <title> (a tooltip), and a
table of the same figures follows in a <details>, for screen readers, for
copying, and for a browser that draws no SVG. Every text is escaped.
"""

from __future__ import annotations

import hashlib
import math

from markupsafe import Markup, escape

from dashboard.overview._overview import Series

# Okabe and Ito's colour-blind-safe hues where they keep 3:1 on both pages, then two more.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A63D2", "#B8860B")
OTHER_COLOUR = "#808080"
LIGHT_PAGE, DARK_PAGE = "#ffffff", "#0d1117"
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 56  # room for the axis figures and labels
LEGEND_CHARS = 12  # at least; six names fit one row, and the table and titles say them whole
MOST_LABELS = 8  # period labels under the axis; the others are in the bars' titles


def render_chart(series: Series) -> Markup:
    """A <figure>: the stacked bar chart as inline SVG, and the same figures as a table."""
    key = _key(series)
    top = _axis_top(max(series.totals, default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{key}-t {key}-d" class="chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{key}-t">{escape(series.title)}</title>',
        f'<desc id="{key}-d">{escape(_describe(series))}</desc>',
        *_axis(top),
        *_bars(series, top),
        *_labels(series),
        *_legend(series),
        "</svg>",
    ]
    caption = f"<figcaption>{escape(series.title)}</figcaption>"
    figure = f'<figure class="chart" id="{key}">{caption}{"".join(parts)}{_table(series)}</figure>'
    return Markup(figure)  # noqa: S704 - every text in it went through escape()


def colour(product: str, place: int) -> str:
    """The fill of a product's bars: its place in the series' stacks, grey for 'other'."""
    return OTHER_COLOUR if product == "other" else PALETTE[place % len(PALETTE)]


def _key(series: Series) -> str:
    """An id for the chart's parts, the same for the same chart, unique among the page's."""
    digest = hashlib.sha256(f"{series.title}|{series.periods[:1]}".encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _describe(series: Series) -> str:
    total = sum(series.totals)
    if not series.periods:
        return f"{series.description}: nothing to show."
    peak = max(range(len(series.totals)), key=lambda n: series.totals[n])
    return (
        f"{series.description}: {total:,} in all; the most, {series.totals[peak]:,}, "
        f"on {series.labels[peak]}."
    )


def _axis_top(most: int) -> int:
    """The axis' top: four equal steps of 1, 2 or 5 times a power of ten, reaching the peak."""
    wanted = max(most, 4) / 4
    power: int = 10 ** math.floor(math.log10(wanted))
    step = next(n * power for n in (1, 2, 5, 10) if n * power >= wanted)
    return 4 * step


def _plot() -> tuple[float, float]:
    return WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _axis(top: int) -> list[str]:
    width, height = _plot()
    lines = []
    for n in range(5):
        value = top * n // 4
        y = TOP + height - height * n / 4
        lines.append(
            f'<line x1="{LEFT}" x2="{LEFT + width}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="{0.6 if n == 0 else 0.15}"/>'
        )
        lines.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{value:,}</text>"
        )
    return lines


def _bars(series: Series, top: int) -> list[str]:
    width, height = _plot()
    slot = width / max(len(series.periods), 1)
    bar = max(slot * 0.7, 1.0)
    out = []
    for n, label in enumerate(series.labels):
        x = LEFT + slot * n + (slot - bar) / 2
        base = TOP + height
        for place, (product, counts) in enumerate(series.stacks):
            if not counts[n]:
                continue
            tall = height * counts[n] / top
            base -= tall
            name = f"{product}: " if product else ""
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{tall:.1f}" '
                f'fill="{colour(product, place)}" class="series-{place}">'
                f"<title>{escape(label)}: {escape(name)}{counts[n]:,}</title></rect>"
            )
    return out


def _labels(series: Series) -> list[str]:
    width, height = _plot()
    slot = width / max(len(series.periods), 1)
    every = max(1, math.ceil(len(series.labels) / MOST_LABELS))
    return [
        f'<text x="{LEFT + slot * (n + 0.5):.1f}" y="{TOP + height + 16}" '
        f'text-anchor="middle" fill="currentColor">{escape(label.removeprefix("week of "))}</text>'
        for n, label in enumerate(series.labels)
        if (len(series.labels) - 1 - n) % every == 0  # always the latest period
    ]


def _legend(series: Series) -> list[str]:
    named = [(place, p) for place, (p, _) in enumerate(series.stacks) if p]
    out, x, y = [], float(LEFT), HEIGHT - 14
    room = max(LEGEND_CHARS, int((WIDTH - LEFT - 24 * len(named)) / (7 * max(len(named), 1))))
    for place, product in named:
        short = product if len(product) <= room else f"{product[: room - 1]}…"
        out.append(
            f'<g><title>{escape(product)}</title><rect x="{x:.1f}" y="{y - 9}" width="10" '
            f'height="10" fill="{colour(product, place)}" class="series-{place}"/>'
            f'<text x="{x + 14:.1f}" y="{y}" fill="currentColor">{escape(short)}</text></g>'
        )
        x += 24 + 7 * len(short)
    return out


def _table(series: Series) -> str:
    named = [p for p, _ in series.stacks if p]
    head = "".join(f'<th scope="col">{escape(p)}</th>' for p in named)
    rows = []
    for n, label in enumerate(series.labels):
        cells = "".join(f"<td>{counts[n]:,}</td>" for p, counts in series.stacks if p)
        rows.append(
            f'<tr><th scope="row">{escape(label)}</th>{cells}<td>{series.totals[n]:,}</td></tr>'
        )
    return (
        f"<details><summary>{escape(series.title)}: the figures</summary>"
        f"<table><caption>{escape(series.description)}</caption>"
        f'<thead><tr><th scope="col">{"Week" if "week" in series.title else "Day"}</th>'
        f'{head}<th scope="col">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )
