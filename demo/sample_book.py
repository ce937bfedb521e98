"""A sample eBook built with reportlab, rich in everything a stamper can lose.

The demo sells it, the tests stamp it and check that nothing was dropped, and
the benchmark scales it to a thousand pages. It carries a cover, a table of
contents with internal links, an outline, URI links, roman page labels for the
front matter, document info plus XMP, an AcroForm field, a minimal tagged
structure tree and, optionally, one image per chapter.
"""

from __future__ import annotations

import io
import random

import pikepdf
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

FRONT_MATTER = 2  # cover + contents, labelled i, ii
PAGES_PER_CHAPTER = 8
URL = "https://example.com/practical-python"


def make_sample_book(
    pages: int = 40,
    *,
    title: str = "Practical Python Projects",
    images: bool = False,
    author: str = "Ada Example",
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Build the sample book as PDF bytes."""
    if pages < FRONT_MATTER + 1:
        raise ValueError(f"a sample book needs at least {FRONT_MATTER + 1} pages")
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject("A sample eBook for exlibris")
    chapters = _chapter_starts(pages)
    _draw_cover(canvas, title, author)
    _draw_contents(canvas, chapters)
    for number in range(FRONT_MATTER + 1, pages + 1):
        _draw_body_page(canvas, number, chapters, images)
    canvas.addPageLabel(0, style="ROMAN_LOWER")
    canvas.addPageLabel(FRONT_MATTER, style="ARABIC", start=1)
    canvas.save()
    return _add_metadata_and_tags(buf.getvalue(), title, author)


def _chapter_starts(pages: int) -> dict[int, int]:
    """Chapter number by the physical page (1-based) that opens it."""
    starts = range(FRONT_MATTER + 1, pages + 1, PAGES_PER_CHAPTER)
    return {page: n for n, page in enumerate(starts, start=1)}


def _draw_cover(canvas: Canvas, title: str, author: str) -> None:
    width, height = canvas._pagesize
    canvas.bookmarkPage("cover")
    canvas.addOutlineEntry("Cover", "cover", level=0)
    canvas.setFont("Helvetica-Bold", 28)
    canvas.drawCentredString(width / 2, height * 0.6, title)
    canvas.setFont("Helvetica", 16)
    canvas.drawCentredString(width / 2, height * 0.5, author)
    canvas.drawCentredString(width / 2, height * 0.45, URL)
    canvas.linkURL(URL, (width / 2 - 120, height * 0.44, width / 2 + 120, height * 0.47))
    canvas.showPage()


def _draw_contents(canvas: Canvas, chapters: dict[int, int]) -> None:
    width, height = canvas._pagesize
    canvas.bookmarkPage("contents")
    canvas.addOutlineEntry("Contents", "contents", level=0)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(72, height - 90, "Contents")
    canvas.setFont("Helvetica", 11)
    y = height - 120
    for page, number in list(chapters.items())[:40]:  # one page of contents is enough
        canvas.drawString(90, y, f"Chapter {number}")
        canvas.drawRightString(width - 90, y, str(page - FRONT_MATTER))
        canvas.linkRect("", f"chapter-{number}", (88, y - 3, width - 88, y + 11), relative=0)
        y -= 16
    form = canvas.acroForm
    form.textfield(name="reader_notes", tooltip="Notes", x=72, y=60, width=300, height=20)
    canvas.showPage()


def _draw_body_page(canvas: Canvas, number: int, chapters: dict[int, int], images: bool) -> None:
    width, height = canvas._pagesize
    chapter = chapters.get(number)
    canvas.setFont("Helvetica", 11)
    if chapter is not None:
        key = f"chapter-{chapter}"
        canvas.bookmarkPage(key)
        canvas.addOutlineEntry(f"Chapter {chapter}", key, level=0)
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawString(72, height - 100, f"Chapter {chapter}")
        canvas.setFont("Helvetica", 11)
        if images:
            canvas.drawImage(_noise_image(chapter), 72, height - 420, 300, 280)
    y = height - 140 if chapter is None else (height - 450 if images else height - 140)
    for line in range(int((y - 90) // 14)):
        canvas.drawString(72, y - 14 * line, f"Page {number}, line {line + 1}: lorem ipsum dolor.")
    canvas.drawString(72, 60, "Back to contents")
    canvas.linkRect("", "contents", (70, 56, 170, 70), relative=0)
    canvas.drawRightString(width - 72, 60, URL)
    canvas.linkURL(URL, (width - 280, 56, width - 70, 70))
    canvas.showPage()


def _noise_image(seed: int) -> ImageReader:
    """A photo-like image that does not compress away, so big books weigh what real ones do."""
    rng = random.Random(seed)  # noqa: S311 - pixels, not secrets
    image = Image.frombytes("RGB", (200, 180), rng.randbytes(200 * 180 * 3))
    return ImageReader(image)


def _add_metadata_and_tags(data: bytes, title: str, author: str) -> bytes:
    """Add what reportlab cannot write: XMP and a minimal tagged-PDF structure tree."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["dc:creator"] = [author]
            meta["xmp:CreatorTool"] = "exlibris sample_book"
        kids = pikepdf.Array()
        root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=kids))
        document = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root)
        )
        kids.append(document)
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        _name_destinations(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _name_destinations(pdf: pikepdf.Pdf) -> None:
    """Give the contents page a named destination and point every back-link at the name."""
    contents = pdf.pages[FRONT_MATTER - 1].obj
    dest = pikepdf.Array([contents, pikepdf.Name.Fit])
    pdf.Root.Names = pikepdf.Dictionary(
        Dests=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("contents"), dest]))
    )
    for page in pdf.pages[FRONT_MATTER:]:
        for annot in page.get("/Annots", ()):
            target = annot.get("/Dest")
            if isinstance(target, pikepdf.Array) and target[0].objgen == contents.objgen:
                annot.Dest = pikepdf.String("contents")
