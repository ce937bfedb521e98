"""PDF factories for tests: the sample book plus the awkward originals authors really send.

Everything is built here, with reportlab or by hand, so tests never depend on a
file someone once had. Hand-written PDFs are used where qpdf would "helpfully"
normalise what we want to keep awkward (inherited page attributes).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import Image

from demo.sample_book import make_sample_book


@lru_cache(maxsize=8)
def book(pages: int = 12, images: bool = False) -> bytes:
    """The sample book, cached: tests must not mutate the bytes (they cannot)."""
    return make_sample_book(pages, images=images)


def edited(data: bytes, edit) -> bytes:
    """Apply `edit(pdf)` to a copy of the PDF and return the new bytes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        edit(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def rotated(rotate: int, pages: int = 4) -> bytes:
    """The sample book with /Rotate set on every page."""

    def edit(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            page.obj.Rotate = rotate

    return edited(book(pages), edit)


def shifted(dx: float, dy: float, pages: int = 4, crop_inset: float = 0) -> bytes:
    """The sample book moved so its MediaBox (and an inset CropBox) start at (dx, dy)."""

    def edit(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.obj.MediaBox)
            page.obj.MediaBox = [x0 + dx, y0 + dy, x1 + dx, y1 + dy]
            i = crop_inset
            page.obj.CropBox = [x0 + dx + i, y0 + dy + i, x1 + dx - i, y1 + dy - i]
            page.contents_add(pdf.make_stream(f"1 0 0 1 {dx} {dy} cm\n".encode()), prepend=True)

    return edited(book(pages), edit)


def encrypted(owner: str, user: str = "", pages: int = 4) -> bytes:
    """The sample book encrypted; with user="" it opens without a password (owner-only)."""
    with pikepdf.open(io.BytesIO(book(pages))) as pdf:
        out = io.BytesIO()
        allow = pikepdf.Permissions(extract=False, modify_other=False)
        pdf.save(out, encryption=pikepdf.Encryption(owner=owner, user=user, allow=allow))
        return out.getvalue()


def damaged_xref(pages: int = 4) -> bytes:
    """The sample book with its startxref offset pointing into nowhere: qpdf can rebuild it."""
    data = book(pages)
    return re.sub(rb"startxref\s+\d+", b"startxref\n999999", data)


def truncated(pages: int = 4) -> bytes:
    """A PDF cut off after its header: nothing is left to repair."""
    return book(pages)[:200]


def hand_written(
    count: int = 3,
    parent_attrs: str = "/MediaBox [0 0 300 400]",
    page_attrs: str = "",
    text_at: tuple[float, float] = (130, 200),
) -> bytes:
    """A minimal PDF written by hand, so attributes can be inherited from the page tree."""
    content = b"BT /F1 12 Tf %g %g Td (Hello) Tj ET" % text_at
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{5 + i} 0 R' for i in range(count))}] "
        f"/Count {count} {parent_attrs} "
        "/Resources << /Font << /F1 4 0 R >> >> >>".encode(),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        f"<< /Type /Page /Parent 2 0 R /Contents 3 0 R {page_attrs} >>".encode()
        for _ in range(count)
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def order_rewritten(data: bytes, old: str, new: str) -> bytes:
    """What a framer does: the order id replaced in every mark (info, XMP, PieceInfo, streams)."""

    def strings(holder: pikepdf.Object, depth: int = 0) -> None:
        for key in list(holder.keys()):
            value = holder.get(key)
            if isinstance(value, pikepdf.String) and old in str(value):
                holder[key] = pikepdf.String(str(value).replace(old, new))
            elif isinstance(value, pikepdf.Dictionary) and not value.is_indirect and depth < 8:
                strings(value, depth + 1)  # PieceInfo's entries are direct dictionaries

    def edit(pdf: pikepdf.Pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_bytes()
                if old.encode() in raw:
                    obj.write(raw.replace(old.encode(), new.encode()))
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                strings(obj)

    return edited(data, edit)


def render_gray(data: bytes, page: int, dpi: int = 36) -> Image.Image | None:
    """Page `page` (1-based) as a reader sees it (CropBox, rotated), grey; None without poppler."""
    if shutil.which("pdftoppm") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        args = ["pdftoppm", "-cropbox", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page)]
        subprocess.run([*args, "-singlefile", str(source), f"{folder}/out"], check=True)
        with Image.open(f"{folder}/out.pgm") as image:
            return image.copy()


def ink_box(image: Image.Image, threshold: int = 200) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the dark pixels of a greyscale image."""
    return image.point(lambda v: 255 if v < threshold else 0).getbbox()


@lru_cache(maxsize=4)
def prose(pages: int = 6, leading: float = 13.0, seed: int = 0) -> bytes:
    """A book of justified-looking prose (Times 10.5 pt, paragraphs with short last lines), laid
    out as TeX lays a page: one text object per page, lines placed by relative `Td`, each line
    in runs of two fonts, and a subscript in some lines."""
    import random

    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    words = [
        "ex",
        "libris",
        "marks",
        "every",
        "copy",
        "with",
        "its",
        "buyer",
        "and",
        "the",
        "pirates",
        "crop",
        "it",
        "away",
    ]
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=LETTER, pageCompression=1)
    for _ in range(pages):
        text = canvas.beginText(72, 720)
        text.setLeading(leading)
        for line in range(int(620 // leading)):
            if line % 9 == 8:
                text.textLine("")  # a paragraph's gap
                continue
            short = line % 9 == 7
            count = rng.randint(3, 6) if short else rng.randint(10, 12)
            half = count // 2
            text.setFont("Times-Roman", 10.5, leading)
            text.textOut(" ".join(rng.choice(words) for _ in range(half)) + " ")
            text.setFont("Times-Italic", 10.5, leading)
            if line % 5 == 0:
                text.setRise(-2)
                text.textOut("i")
                text.setRise(0)
            text.textLine(" ".join(rng.choice(words) for _ in range(count - half)))
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()
