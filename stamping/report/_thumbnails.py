"""Pictures of the pages carrying the visible stamp, for the report: poppler's pdftoppm draws.

The same tool trace's OCR and check's preview use (stamping/ocr.py), and as
optional: without it the report says so and has no pictures. Each page is
drawn grey, at most SIDE pixels on its longer side whatever the page's size
(a page can be 200 inches), under a timeout. The file has already been read
within trace's limits; pikepdf reads only the pictured pages' boxes, to know
how much of each picture is the footer band.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf

from stamping.ocr import BAND_POINTS
from stamping.report._facts import Thumbnail

SIDE = 1100  # pixels: a Letter page at 100 dpi, the footer's 8 pt text about 11 pixels high
_TIMEOUT = 60


def thumbnails(data: bytes, pages: list[int]) -> tuple[tuple[Thumbnail, ...], str]:
    """Pictures of `pages` (1-based) of the PDF `data`; and why some are missing ("" if none)."""
    if not pages:
        return (), ""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return (), "No pictures: pdftoppm is not installed here (Debian: poppler-utils)."
    try:
        bands = _bands(data, pages)
        with tempfile.TemporaryDirectory(prefix="exlibris-report-") as folder:
            source = Path(folder) / "copy.pdf"
            source.write_bytes(data)
            drawn = tuple(Thumbnail(page, _draw(tool, source, page), bands[page]) for page in pages)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return (), f"No pictures: pdftoppm failed ({detail[0]})."
    except (subprocess.TimeoutExpired, OSError, pikepdf.PdfError) as exc:
        return (), f"No pictures: the pages could not be drawn ({type(exc).__name__})."
    return drawn, ""


def _bands(data: bytes, pages: list[int]) -> dict[int, float]:
    """For each page, the share of its height (as a reader sees it) the footer band takes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        bands = {}
        for number in pages:
            page = pdf.pages[number - 1]
            x0, y0, x1, y1 = (float(v) for v in page.cropbox)
            turned = int(page.obj.get("/Rotate", 0)) % 180 == 90
            height = abs(x1 - x0) if turned else abs(y1 - y0)
            bands[number] = min(1.0, BAND_POINTS / height) if height > 0 else 1.0
    return bands


def _draw(tool: str, source: Path, page: int) -> bytes:
    stem = source.parent / f"page-{page}"
    args = [tool, "-png", "-gray", "-scale-to", str(SIDE), "-f", str(page), "-l", str(page)]
    subprocess.run(
        [*args, "-singlefile", str(source), str(stem)],
        check=True,
        capture_output=True,
        timeout=_TIMEOUT,
    )
    return stem.with_suffix(".png").read_bytes()
