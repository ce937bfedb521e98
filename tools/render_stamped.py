"""Render the README's pictures of a stamped page: page 2 of the demo's copy, and its footer.

    .venv/bin/python tools/render_stamped.py   # docs/stamped-page.png, docs/stamped-footer.png

Stamps the 48-page sample book for a made-up buyer with the real engine and
renders with poppler's pdftoppm, as a reader would see the page.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image

from demo.sample_book import make_sample_book
from stamping.pdf import stamp_pdf
from stamping.stamp import Stamp

ROOT = Path(__file__).resolve().parent.parent
BUYER = Stamp("Ada Lovelace", "ada@example.com", "txn_01hv8wptq8987qeep44cyrewp9", "KQMV-2F9W-SZEY")


def render(pdf: Path, page: int, dpi: int, out: Path) -> Image.Image:
    stem = out.with_suffix("")
    args = ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    subprocess.run([*args, str(pdf), str(stem)], check=True)
    return Image.open(f"{stem}.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.pdf"
        copy.write_bytes(stamp_pdf(make_sample_book(pages=48), BUYER))
        render(copy, 2, 70, ROOT / "docs" / "stamped-page.png")
        page = render(copy, 2, 200, Path(folder) / "big.png")
        width, height = page.size
        band = page.crop((0, int(height * 0.955), width, height))
        band.save(ROOT / "docs" / "stamped-footer.png", optimize=True)


if __name__ == "__main__":
    main()
