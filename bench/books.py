"""Books the stamping benchmark runs on: Debian's reference manuals and a generated comic.

- The R reference manual (Debian `r-doc-pdf`): 2,415 pages of LaTeX output
  with object streams, the shape of a big technical book.
- The LaTeX3 sources (Debian `texlive-latex-base-doc`, `source3.pdf`): 1,611
  pages, the book the issue measured at a 406 MB peak before the plan.
- A 300 MB "comic": one large photo-like JPEG per page, the shape of a photo
  book, where a rewrite per buyer costs seconds and memory. Generated once
  into var/bench/ (not committed) from random pixels, so it does not compress.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

REFMAN = Path("/usr/share/R/doc/manual/refman.pdf")
SOURCE3 = Path("/usr/share/doc/texlive-doc/latex/l3kernel/source3.pdf")
INSTALLED = {"refman": (REFMAN, "r-doc-pdf"), "source3": (SOURCE3, "texlive-latex-base-doc")}
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"


def comic_book(target_mb: int = 300) -> Path:
    """A PDF of about target_mb, one 1600 x 2400 noise JPEG per page (made once, cached)."""
    path = CACHE / f"comic-{target_mb}mb.pdf"
    if path.exists():
        return path
    import pikepdf
    from PIL import Image

    CACHE.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    pdf = pikepdf.new()
    size = 0
    width, height = 1600, 2400
    while size < target_mb * 2**20:
        pixels = rng.randbytes(width * height * 3)
        jpeg = io.BytesIO()
        Image.frombytes("RGB", (width, height), pixels).save(jpeg, "JPEG", quality=80)
        data = jpeg.getvalue()
        size += len(data)
        image = pikepdf.Stream(pdf, data)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = width, height
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        image.Filter = pikepdf.Name.DCTDecode
        page = pdf.add_blank_page(page_size=(432, 648))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 432 0 0 648 0 0 cm /Im0 Do Q")
    partial = path.with_suffix(".part")
    pdf.save(partial)
    os.replace(partial, path)
    return path
