"""The footer sits upright at the bottom centre of the page as the reader sees it.

Pages are rendered by poppler (pdftoppm): the only honest check that a rotated
or shifted page shows the footer where a reader looks. Tests skip without it.
"""

from __future__ import annotations

import shutil

import pytest
from PIL import ImageChops

from stamping.pdf import stamp_pdf
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.support import pdfs

STAMP = Stamp(
    name="Ada Lovelace", email="ada@example.com", order_id="txn_01", code="KQMV-2F9W-SZEY"
)
STYLE = StampStyle(skip_pages=0, color="#000000", opacity=1.0)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm missing: apt-get install poppler-utils"
)


def footer_box(original: bytes) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    """Ink added by stamping on page 1, and the rendered page size (as the reader sees it)."""
    before = pdfs.render_gray(original, 1)
    after = pdfs.render_gray(stamp_pdf(original, STAMP, STYLE), 1)
    assert before is not None and after is not None
    assert before.size == after.size
    diff = ImageChops.difference(before, after).point(lambda v: 255 if v > 60 else 0)
    box = diff.getbbox()
    assert box is not None, "stamping added no ink"
    return box, after.size


def assert_bottom_centre(box: tuple[int, int, int, int], size: tuple[int, int]) -> None:
    left, top, right, bottom = box
    width, height = size
    assert top > height * 0.85, f"footer not at the bottom: {box} in {size}"
    assert abs((left + right) / 2 - width / 2) < width * 0.03, f"footer not centred: {box}"
    assert right - left > 3 * (bottom - top), f"footer not upright (runs sideways): {box}"


@needs_poppler
@pytest.mark.parametrize("rotate", [0, 90, 180, 270, -90, -180, -270, 450])
def test_rotated_pages(rotate: int) -> None:
    original = pdfs.hand_written(1, page_attrs=f"/MediaBox [0 0 300 400] /Rotate {rotate}")
    assert_bottom_centre(*footer_box(original))


@needs_poppler
@pytest.mark.parametrize("rotate", [90, -90])
def test_rotation_and_mediabox_inherited_from_the_page_tree(rotate: int) -> None:
    original = pdfs.hand_written(2, parent_attrs=f"/MediaBox [0 0 300 400] /Rotate {rotate}")
    assert_bottom_centre(*footer_box(original))


@needs_poppler
@pytest.mark.parametrize("rotate", [0, 90, 270])
def test_mediabox_origin_far_from_zero(rotate: int) -> None:
    original = pdfs.hand_written(
        1,
        page_attrs=f"/MediaBox [-500 1000 -200 1400] /Rotate {rotate}",
        text_at=(-370, 1200),
    )
    assert_bottom_centre(*footer_box(original))


@needs_poppler
def test_cropbox_inside_a_shifted_mediabox() -> None:
    original = pdfs.hand_written(
        1,
        page_attrs="/MediaBox [100 100 500 700] /CropBox [150 200 450 600]",
        text_at=(280, 400),
    )
    assert_bottom_centre(*footer_box(original))


@needs_poppler
def test_footer_shrinks_to_fit_a_narrow_page() -> None:
    original = pdfs.hand_written(1, page_attrs="/MediaBox [0 0 150 400]", text_at=(50, 200))
    (left, _, right, _), (width, _) = footer_box(original)
    assert left >= 0 and right <= width
    assert right - left > width * 0.7
