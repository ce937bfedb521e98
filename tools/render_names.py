"""Render the README's table of names: each name of demo/names.py stamped, its footer cropped.

    .venv/bin/python tools/render_names.py [OUTPUT]      (default docs/names.png)

Each name is stamped by the real engine (stamping.pdf.stamp_pdf) on a
one-page A4 file with the default template, the page is rendered by poppler
(`pdftoppm`, Debian poppler-utils) and the footer band is cropped to its ink;
the rows are stacked under their script's name. Needs the fonts of
system-packages.txt (runtime) and poppler.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from demo.names import NAMES
from stamping.pdf import stamp_pdf
from stamping.pdf.footer._faces import find_font
from stamping.stamp import Stamp
from stamping.style import StampStyle

ROOT = Path(__file__).resolve().parent.parent
DPI = 150
PAGE = (595, 842)  # A4, points
STYLE = StampStyle(skip_pages=0, color="#333333", opacity=1.0)
LABEL_WIDTH = 190


def blank_page() -> bytes:
    """A one-page PDF with nothing on it but the footer to come."""
    width, height = PAGE
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    body.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] >>".encode())
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def footer_image(name: str, folder: Path) -> Image.Image:
    """The stamped footer for this name as poppler draws it, cropped to its ink."""
    stamp = Stamp(name, "reader@example.com", "1042", "KQMV-2F9W-SZEY")
    source = folder / "copy.pdf"
    source.write_bytes(stamp_pdf(blank_page(), stamp, STYLE))
    band = int(60 * DPI / 72)  # the bottom 60 pt hold the footer
    top = int(PAGE[1] * DPI / 72) - band
    args = ["pdftoppm", "-gray", "-r", str(DPI), "-x", "0", "-y", str(top)]
    args += ["-W", str(int(PAGE[0] * DPI / 72)), "-H", str(band), "-singlefile"]
    subprocess.run([*args, str(source), str(folder / "band")], check=True)
    with Image.open(folder / "band.pgm") as image:
        band_image = image.copy()
    ink = ImageOps.invert(band_image).getbbox()
    return band_image.crop(ink) if ink else band_image


def table(rows: list[tuple[str, Image.Image]]) -> Image.Image:
    """The rows stacked, each under a label, on white."""
    label_font = ImageFont.truetype(str(find_font(("NotoSans-Regular.ttf", "DejaVuSans.ttf"))), 20)
    gap = 14
    width = LABEL_WIDTH + max(image.width for _, image in rows) + 2 * gap
    height = sum(image.height + gap for _, image in rows) + gap
    sheet = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(sheet)
    y = gap
    for label, image in rows:
        draw.text((gap, y + image.height / 2), label, fill=90, font=label_font, anchor="lm")
        sheet.paste(image, (LABEL_WIDTH + gap, y))
        y += image.height + gap
    return sheet


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else ROOT / "docs" / "names.png"
    with tempfile.TemporaryDirectory() as folder:
        rows = [(script, footer_image(name, Path(folder))) for script, name in NAMES.items()]
    table(rows).quantize(16).save(output, optimize=True)  # 16 greys: half the bytes, same look
    print(f"{output}: {len(rows)} names")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
