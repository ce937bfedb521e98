"""The charts: well-formed SVG a strict CSP allows, named for screen readers, with the figures."""

from __future__ import annotations

import re
from datetime import date

import pytest
from lxml import etree, html

from common.dead_letters import Letter
from common.orders import OrderRecord, OrderStore, save_record
from common.stats import note_order
from common.storage import MemoryStorage
from dashboard.overview import PALETTE, Series, overview, render_chart, render_overview

SVG = "{http://www.w3.org/2000/svg}"
SERIES = Series(
    title="Sales per day",
    description="Copies sold by product, per day",
    periods=("2026-03-16", "2026-03-17", "2026-03-18"),
    labels=("16 Mar", "17 Mar", "18 Mar"),
    stacks=(("python", (3, 0, 1_234)), ("<script>alert(1)</script>", (1, 2, 0))),
)


def svg_of(markup: str) -> etree._Element:
    """The <svg> element, parsed as XML (a stray '&' or an unclosed tag fails here)."""
    found = re.search(r"<svg\b.*?</svg>", markup, re.S)
    assert found is not None
    return etree.fromstring(found.group(0), etree.XMLParser(resolve_entities=False))


def test_the_chart_is_svg_named_by_its_title_and_description() -> None:
    svg = svg_of(render_chart(SERIES))
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.text == "Sales per day"
    assert desc is not None and desc.text is not None
    assert desc.text.startswith("Copies sold by product, per day: 1,240 in all")
    assert "1,234, on 18 Mar" in desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_every_figure_is_in_a_bar_and_in_the_table() -> None:
    markup = render_chart(SERIES)
    bars = [t.text for t in svg_of(markup).iter(f"{SVG}title")][1:]
    assert bars == [
        "16 Mar: python: 3",
        "16 Mar: <script>alert(1)</script>: 1",
        "17 Mar: <script>alert(1)</script>: 2",
        "18 Mar: python: 1,234",
        "python",  # the legend's names, whole
        "<script>alert(1)</script>",
    ]
    table = html.fromstring(markup).find(".//table")
    assert table is not None
    rows = [[c.text_content() for c in row] for row in table.iter("tr")]
    assert rows == [
        ["Day", "python", "<script>alert(1)</script>", "Total"],
        ["16 Mar", "3", "1", "4"],
        ["17 Mar", "0", "2", "2"],
        ["18 Mar", "1,234", "0", "1,234"],
    ]


def test_nothing_in_it_needs_the_csp_loosened_and_hostile_names_stay_text() -> None:
    markup = str(render_chart(SERIES))
    assert "<script" not in markup and "&lt;script&gt;" in markup
    for element in svg_of(markup).iter():
        assert "style" not in element.attrib and not str(element.tag).endswith("style")
        assert not any(a.startswith("on") or "href" in a for a in element.attrib)


def test_bars_are_as_tall_as_their_figures() -> None:
    svg = svg_of(render_chart(SERIES))
    heights = {r.findtext(f"{SVG}title"): float(r.get("height", 0)) for r in svg.iter(f"{SVG}rect")
               if r.find(f"{SVG}title") is not None}  # fmt: skip
    assert heights["16 Mar: python: 3"] == pytest.approx(
        heights["17 Mar: <script>alert(1)</script>: 2"] * 1.5, abs=0.1
    )
    assert heights["18 Mar: python: 1,234"] > 60 * heights["16 Mar: python: 3"]


def _luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("page", ["#ffffff", "#0d1117"], ids=["light", "dark"])
@pytest.mark.parametrize("colour", [*PALETTE, "#808080"])
def test_every_bar_colour_stands_out_on_a_light_and_a_dark_page(colour: str, page: str) -> None:
    assert _contrast(colour, page) >= 3.0  # WCAG 2.1 SC 1.4.11, non-text contrast


def test_an_empty_shop_draws_empty_charts_and_says_so() -> None:
    figures = overview(OrderStore(MemoryStorage(), "delivery"), today=date(2026, 3, 18))
    markup = render_overview(figures)
    assert markup.count("<svg") == 6
    for found in re.finditer(r"<svg\b.*?</svg>", markup, re.S):
        svg = etree.fromstring(found.group(0), etree.XMLParser(resolve_entities=False))
        assert ": 0 in all" in (svg.findtext(f"{SVG}desc") or "")
    assert "Did every buyer get the book?" in markup
    assert "keeps no log figures" in markup


def test_the_section_links_each_order_on_its_way_and_counts_dead_letters() -> None:
    storage = MemoryStorage()
    waiting = OrderRecord.received(
        at="2026-03-18T09:30:00Z", order_id="txn_1", title="t", buyer_name="", buyer_email="",
        code="c", products=("python",),
    )  # fmt: skip
    save_record(storage, "delivery", waiting, 0)
    note_order(storage, "delivery", waiting)
    letters = [Letter("1", "<b>odd</b>", "txn_2", "why", "", "worker")]
    figures = overview(
        OrderStore(storage, "delivery"), today=date(2026, 3, 18), dead_letters=letters
    )
    page = html.fromstring(str(render_overview(figures)))
    [link] = page.xpath("//ul[@class='open-orders']/li/a")
    assert link.get("href") == "/orders/txn_1" and link.text == "txn_1"
    item = link.getparent().text_content()
    assert "awaiting its buyer" in item and "sold 2026-03-18 09:30 UTC" in item
    facts = dict(
        zip(page.xpath("//dt/text()"), [d.text_content() for d in page.xpath("//dd")], strict=True)
    )
    assert (
        facts["Copies sold"].startswith("1 ")
        and facts["On their way now"] == "1, 1 awaiting a buyer"
    )
    assert facts["Dead letters"] == "1: 1 <b>odd</b>"  # the kind is text, not markup
