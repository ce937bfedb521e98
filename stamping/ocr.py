"""The OCR reader a trace is given (trace.py's OcrReader): poppler renders, tesseract reads.

A rasterised copy has no text layer left, but the footer is still printed at
the bottom of every page. Only that band is rendered (pdftoppm, 200 dpi,
grey) and all bands go through one tesseract process, whose model loads
once. Needs poppler-utils and tesseract-ocr (with its English model); without
them `OcrFailed` says what to install. A thin edge around two commands, which
the caller injects into a trace (stamping/formats.py's trace_file): the PDF
engine's tracing decides what a reading means.

OCR costs about half a second per page, so a long book is sampled: `limit`
pages spread evenly over the pages without text (first and last included),
or every page when limit is 0.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

DPI = 200
BAND_POINTS = 60.0  # the footer sits `margin` (14 pt by default) above the bottom edge
_TIMEOUT = 600


class OcrFailed(RuntimeError):
    """pdftoppm or tesseract is missing or failed; the message says which, in words."""


def sample(pages: list[int], limit: int) -> list[int]:
    """At most `limit` pages spread evenly, first and last included; all when limit is 0."""
    if limit <= 0 or len(pages) <= limit:
        return pages
    if limit == 1:
        return pages[:1]
    step = (len(pages) - 1) / (limit - 1)
    return sorted({pages[round(i * step)] for i in range(limit)})


def read_footers(
    data: bytes, pages: dict[int, tuple[float, float]], limit: int = 40
) -> dict[int, str]:
    """OCR text of the footer band of each sampled page (1-based) of the PDF `data`."""
    tools = {tool: shutil.which(tool) for tool in ("pdftoppm", "tesseract")}
    missing = [tool for tool, path in tools.items() if path is None]
    if missing:
        raise OcrFailed(
            f"{' and '.join(missing)} not installed (Debian: poppler-utils, tesseract-ocr)"
        )
    chosen = sample(sorted(pages), limit)
    try:
        with tempfile.TemporaryDirectory(prefix="exlibris-ocr-") as folder:
            root = Path(folder)
            source = root / "copy.pdf"
            source.write_bytes(data)
            images = [_render_band(str(tools["pdftoppm"]), source, n, pages[n]) for n in chosen]
            listing = root / "bands.txt"
            listing.write_text("".join(f"{image}\n" for image in images))
            texts = _tesseract(str(tools["tesseract"]), listing)
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OcrFailed(f"{Path(exc.cmd[0]).name} failed: {detail[0]}") from None
    except (subprocess.TimeoutExpired, OSError) as exc:
        raise OcrFailed(f"OCR did not finish: {exc}") from None
    return {n: text for n, text in zip(chosen, texts, strict=False)}


def _render_band(pdftoppm: str, source: Path, page: int, size: tuple[float, float]) -> Path:
    width, height = (max(round(v * DPI / 72), 1) for v in size)
    band = min(round(BAND_POINTS * DPI / 72), height)
    stem = source.parent / f"band-{page}"
    args = [pdftoppm, "-r", str(DPI), "-f", str(page), "-l", str(page), "-gray", "-png"]
    args += ["-x", "0", "-y", str(height - band), "-W", str(width), "-H", str(band)]
    subprocess.run(
        [*args, "-singlefile", str(source), str(stem)],
        check=True,
        capture_output=True,
        timeout=_TIMEOUT,
    )
    return stem.with_suffix(".png")


def _tesseract(tesseract: str, listing: Path) -> list[str]:
    """One text per listed image (tesseract separates pages with a form feed)."""
    done = subprocess.run(
        [tesseract, str(listing), "stdout", "--psm", "6", "-l", "eng"],
        check=True,
        capture_output=True,
        timeout=_TIMEOUT,
        env={"OMP_THREAD_LIMIT": "1"},  # one thread per process: the worker has few cores
    )
    return done.stdout.decode("utf-8", "replace").split("\f")
