"""The page renderer an informed trace is given: poppler draws pages as grey images.

The line-shift mark (stamping/pdf/lineshift) is read by comparing the
original's pages with the suspect copy's, both drawn the same way: pdftoppm
at 150 dpi, grey, the page as a reader sees it (its CropBox). A leaked file is
hostile, so each page is drawn within a pixel budget (a page a mile wide is
drawn coarser, never bigger) and a time limit. A thin edge around one
command, which the caller injects into a trace (stamping/trace.py's
Original), as stamping/ocr.py is. Needs poppler-utils; without it
`RenderFailed` says what to install.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

DPI = 150
MAX_PIXELS = 12_000_000  # a Letter page at 150 dpi is 2.1 million, at 300 dpi 8.4
_TIMEOUT = 120


class RenderFailed(RuntimeError):
    """pdftoppm is missing or failed; the message says which, in words."""


def render_pages(data: bytes, pages: dict[int, tuple[float, float]]) -> dict[int, Image.Image]:
    """Pages (1-based, with their size in points as read) of the PDF `data` as grey images."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise RenderFailed("pdftoppm not installed (Debian: poppler-utils)")
    drawn: dict[int, Image.Image] = {}
    with tempfile.TemporaryDirectory(prefix="exlibris-render-") as folder:
        source = Path(folder) / "book.pdf"
        source.write_bytes(data)
        for page, (width, height) in sorted(pages.items()):
            dpi = min(DPI, (MAX_PIXELS / max(width * height / 72**2, 1e-6)) ** 0.5)
            stem = Path(folder) / f"page-{page}"
            args = [tool, "-r", f"{dpi:.3f}", "-f", str(page), "-l", str(page), "-gray"]
            try:
                subprocess.run(
                    [*args, "-cropbox", "-singlefile", str(source), str(stem)],
                    check=True,
                    capture_output=True,
                    timeout=_TIMEOUT,
                )
            except subprocess.CalledProcessError as exc:
                lines = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
                raise RenderFailed(f"pdftoppm failed: {(lines or ['no message'])[0]}") from None
            except (subprocess.TimeoutExpired, OSError) as exc:
                raise RenderFailed(f"pdftoppm did not finish: {exc}") from None
            with Image.open(stem.with_suffix(".pgm")) as image:
                drawn[page] = image.copy()
    return drawn
