"""The ex-libris page and a chapter's end, rendered by headless Chromium from the unzipped copy.

Chromium renders XHTML as reading systems built on web engines do (Apple
Books, Thorium, Kobo's and Google's apps). The screenshot joins the two: the
README shows it. `SCREENSHOTS_DIR=docs/screenshots` refreshes that copy, as
for the browser tier.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from stamping.epub.stamper import stamp_epub
from stamping.stamp import Stamp
from tests.unit.stamping.epub.conftest import STAMP, Library

READER = {"width": 420, "height": 620}  # a phone held upright: what most EPUBs are read on
BUYER = Stamp(
    "Zoë Ångström-王 <ada&co>",
    "zoe@example.com",
    "txn_01hq3k9d2x",
    "KQMV-2F9W-SZEY",
    "https://books.example.com/verify?code=KQMV-2F9W-SZEY",
)


def unzip(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        book.extractall(folder)
    return folder


def shot(page: Any, path: Path) -> Image.Image:
    page.screenshot(path=str(path))
    return Image.open(path)


def blank(image: Image.Image) -> bool:
    colours = image.convert("L").getextrema()
    return colours[0] == colours[1]


@pytest.mark.slow
def test_the_page_and_a_footer_render(chromium: Any, library: Library, tmp_path: Path) -> None:
    folder = unzip(stamp_epub(library["ebooklib"], BUYER), tmp_path / "book")
    out = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=READER, java_script_enabled=False)
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto((folder / "EPUB" / "exlibris.xhtml").as_uri())
    text = page.locator("p.exlibris-text").inner_text()
    assert "Zoë Ångström-王 <ada&co>" in text and BUYER.code in text and BUYER.email in text
    link = page.locator("p.exlibris-verify a")
    assert link.get_attribute("href") == BUYER.verify_url
    assert page.locator("body").evaluate("b => getComputedStyle(b).textAlign") == "center"
    plate = shot(page, tmp_path / "page.png")

    page.goto((folder / "EPUB" / "chapter-01.xhtml").as_uri())
    footer = page.locator("div.exlibris-footer")
    footer.scroll_into_view_if_needed()
    box = footer.bounding_box()
    assert box is not None and box["height"] > 5
    assert BUYER.code in footer.inner_text() and "Zoë Ångström-王 <ada&co>" in footer.inner_text()
    end = shot(page, tmp_path / "chapter.png")
    context.close()

    assert errors == [] and not blank(plate) and not blank(end)
    joined = Image.new(
        "RGB", (plate.width + end.width + 16, max(plate.height, end.height)), "#d0d0d0"
    )
    joined.paste(plate, (0, 0))
    joined.paste(end, (plate.width + 16, 0))
    joined.save(out / "epub-exlibris.png", optimize=True)


@pytest.mark.slow
def test_a_right_to_left_page_renders_right_to_left(
    chromium: Any, stamped: Callable[[str], bytes], tmp_path: Path
) -> None:
    folder = unzip(stamped("rtl"), tmp_path / "book")
    context = chromium.new_context(viewport=READER, java_script_enabled=False)
    page = context.new_page()
    page.goto((folder / "OEBPS" / "exlibris.xhtml").as_uri())
    assert page.locator("html").evaluate("h => getComputedStyle(h).direction") == "rtl"
    assert page.locator("bdi").first.inner_text() == "Zoë <b>&amp; 王小明 محمد"  # RLO gone
    page.goto((folder / "OEBPS" / "ar.xhtml").as_uri())
    footer = page.locator("div.exlibris-footer")
    assert footer.evaluate("f => getComputedStyle(f).direction") == "rtl"
    assert STAMP.code in footer.inner_text()
    context.close()
