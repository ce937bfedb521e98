"""What pirates do to a copy before they share it, with the real tools: the attack suite.

Each attack turns the file at `src` into the file at `dst`. The tools are the
Debian ones (ghostscript, qpdf, mupdf-tools, pdftk-java, exiftool, poppler);
the edits a pirate does by hand (deleting the footer, wrapping page images
into a PDF, stitching two copies) are done with pikepdf as they would be.
Used by tests/unit/test_attacks.py and bench/attacks.py.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pikepdf
from PIL import Image, ImageChops, ImageFilter

from stamping.pdf.trace._text_decoding import font_decoder

Attack = Callable[[Path, Path], None]
FOOTER_WORDS = "Prepared exclusively"  # the default template's opening words


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=900)


def exiftool_strip(src: Path, dst: Path) -> None:
    """exiftool -all:all= removes docinfo and XMP in an update; qpdf then drops the old revision,
    as exiftool's documentation tells those who want the removal to be permanent."""
    with tempfile.TemporaryDirectory() as folder:
        middle = Path(folder) / "stripped.pdf"
        run("exiftool", "-q", "-all:all=", "-o", middle, src)
        run("qpdf", middle, dst)


def qpdf_pages(src: Path, dst: Path) -> None:
    """The pages re-extracted into a new document: no docinfo, no XMP, a new /ID."""
    run("qpdf", "--empty", "--pages", src, "--", dst)


def mutool_clean(src: Path, dst: Path) -> None:
    """MuPDF's clean-up: garbage-collect, deduplicate, sanitize every content stream."""
    run("mutool", "clean", "-gggg", "-s", src, dst)


def pdftk_cat(src: Path, dst: Path) -> None:
    run("pdftk", src, "cat", "output", dst)


def ghostscript(src: Path, dst: Path) -> None:
    """A re-distill: ghostscript reads the drawing and writes a new PDF from it."""
    run(
        "gs",
        "-q",
        "-dNOPAUSE",
        "-dBATCH",
        "-dSAFER",
        "-sDEVICE=pdfwrite",
        f"-sOutputFile={dst}",
        src,
    )


def delete_footer_do(src: Path, dst: Path) -> None:
    """The footer's `/ExLibrisStamp Do` cut out of every content stream."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            contents = page.obj.get("/Contents")
            for part in contents if isinstance(contents, pikepdf.Array) else [contents]:
                data = part.read_bytes()
                if b"/ExLibrisStamp Do" in data:
                    part.write(data.replace(b"/ExLibrisStamp Do", b""))
        pdf.save(dst)


def delete_footer_xobject(src: Path, dst: Path) -> None:
    """The footer's Form XObject removed from every page's resources."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            if "/ExLibrisStamp" in xobjects:
                del xobjects["/ExLibrisStamp"]
        pdf.save(dst)


def delete_footer_text(src: Path, dst: Path) -> None:
    """What an editor does to a flattened copy: the visible text of the footer line deleted.

    In every text object that shows the footer's words, every visible show
    operator goes; invisible text is left (a pirate cannot see it to select it)."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            _delete_footer_text(pdf, page)
        pdf.save(dst)


def _delete_footer_text(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    fonts = page.obj.get("/Resources", {}).get("/Font", {})
    instructions = list(pikepdf.parse_content_stream(page))
    kept, block, shown, modes, decode = [], [], [], [0], font_decoder(None)
    for instruction in instructions:
        op = (
            str(instruction.operator)
            if isinstance(instruction, pikepdf.ContentStreamInstruction)
            else ""
        )
        if op == "Tf":
            decode = font_decoder(fonts.get(instruction.operands[0]))
        if op == "q":
            modes.append(modes[-1])
        if op == "Q" and len(modes) > 1:
            modes.pop()
        if op == "Tr":
            modes[-1] = int(instruction.operands[0])
        if op in ("Tj", "TJ", "'", '"') and modes[-1] != 3:
            shown.append((len(block), _decoded(instruction.operands[-1], decode)))
        (block if block or op == "BT" else kept).append(instruction)
        if op == "ET":
            if FOOTER_WORDS.replace(" ", "") in "".join(t for _, t in shown).replace(" ", ""):
                drop = {at for at, _ in shown}
                block = [i for n, i in enumerate(block) if n not in drop]
            kept += block
            block, shown = [], []
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept + block))


def _decoded(operand: object, decode: Callable[[bytes], str]) -> str:
    if isinstance(operand, pikepdf.String):
        return decode(bytes(operand))
    if isinstance(operand, pikepdf.Array):
        return "".join(decode(bytes(s)) for s in operand if isinstance(s, pikepdf.String))
    return ""


def then(*attacks: Attack) -> Attack:
    """Several attacks one after the other."""

    def chained(src: Path, dst: Path) -> None:
        with tempfile.TemporaryDirectory() as folder:
            current = src
            for n, attack in enumerate(attacks):
                target = dst if n == len(attacks) - 1 else Path(folder) / f"step{n}.pdf"
                attack(current, target)
                current = target

    return chained


def rasterise(src: Path, dst: Path, dpi: int = 150, crop_bottom: float = 0.0) -> None:
    """Every page rendered by poppler (grey JPEG) and wrapped into a new PDF, img2pdf-style;
    `crop_bottom` points cut off the bottom of every page first."""
    with tempfile.TemporaryDirectory() as folder:
        run(
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            "-jpeg",
            "-jpegopt",
            "quality=80",
            src,
            f"{folder}/p",
        )
        with pikepdf.new() as out:
            for image_path in sorted(Path(folder).glob("p-*.jpg")):
                _add_image_page(out, image_path, dpi, crop_bottom)
            out.save(dst)


def rasterise_without_footer(src: Path, dst: Path) -> None:
    """The moonshot: rasterised with the bottom 40 pt, where the footer is, cropped away."""
    rasterise(src, dst, crop_bottom=40)


def _add_image_page(out: pikepdf.Pdf, path: Path, dpi: int, crop_bottom: float) -> None:
    with Image.open(path) as image:
        gray = image.convert("L")
        cut = round(crop_bottom * dpi / 72)
        if cut:
            gray = gray.crop((0, 0, gray.width, gray.height - cut))
        buffer = io.BytesIO()
        gray.save(buffer, format="JPEG", quality=80)
        width, height = gray.size
    picture = out.make_stream(
        buffer.getvalue(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=width,
        Height=height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    w, h = width * 72 / dpi, height * 72 / dpi
    page = out.add_blank_page(page_size=(w, h))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture))
    page.obj.Contents = out.make_stream(f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /Im0 Do Q".encode())


def scan(
    src: Path,
    dst: Path,
    *,
    dpi: int = 150,
    crop: tuple[float, float, float, float] = (0, 0, 0, 40),
    scale: float = 1.0,
    turn: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    quality: int = 80,
) -> None:
    """Every page drawn by poppler at `dpi`, then as a scanner or a clean-up leaves it: turned
    `turn` degrees, scaled, blurred (Gaussian radius in pixels), with grey noise (sigma),
    cropped (left, top, right, bottom, in points), saved as JPEG and wrapped into a PDF."""
    with tempfile.TemporaryDirectory() as folder:
        run("pdftoppm", "-r", str(dpi), "-gray", "-png", src, f"{folder}/p")
        with pikepdf.new() as out:
            for path in sorted(Path(folder).glob("p-*.png")):
                with Image.open(path) as image:
                    page = _scanned(image.convert("L"), dpi, crop, scale, turn, blur, noise)
                _add_picture(out, page, dpi, quality)
            out.save(dst)


def _scanned(
    image: Image.Image,
    dpi: int,
    crop: tuple[float, float, float, float],
    scale: float,
    turn: float,
    blur: float,
    noise: float,
) -> Image.Image:
    if turn:
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if scale != 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        grain = Image.effect_noise(image.size, noise)
        image = ImageChops.add(image, grain, scale=1.0, offset=-128)
    left, top, right, bottom = (round(v * dpi * scale / 72) for v in crop)
    return image.crop((left, top, image.width - right, image.height - bottom))


def _add_picture(out: pikepdf.Pdf, image: Image.Image, dpi: int, quality: int) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    picture = out.make_stream(
        buffer.getvalue(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=8,
        Filter=pikepdf.Name.DCTDecode,
    )
    w, h = image.width * 72 / dpi, image.height * 72 / dpi
    page = out.add_blank_page(page_size=(w, h))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=picture))
    page.obj.Contents = out.make_stream(f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /Im0 Do Q".encode())


def merge_page_by_page(first: Path, second: Path, dst: Path) -> None:
    """Two buyers' copies stitched: odd pages from the first, even pages from the second."""
    run("qpdf", "--empty", "--collate", "--pages", first, "1-z:odd", second, "1-z:even", "--", dst)


ATTACKS: dict[str, Attack] = {
    "metadata stripped (exiftool, then qpdf)": exiftool_strip,
    "pages re-extracted (qpdf --empty --pages)": qpdf_pages,
    "footer deleted (its Do)": delete_footer_do,
    "footer deleted (its XObject)": delete_footer_xobject,
    "mutool clean -gggg -s": mutool_clean,
    "pdftk cat": pdftk_cat,
    "ghostscript re-distill": ghostscript,
    "ghostscript, then footer deleted": then(ghostscript, delete_footer_text),
    "footer deleted, then ghostscript": then(delete_footer_do, ghostscript),
    "everything: metadata, footer, ghostscript, qpdf": then(
        exiftool_strip, delete_footer_xobject, ghostscript, delete_footer_text, qpdf_pages
    ),
    "rasterised (150 dpi, grey JPEG)": rasterise,
}
MOONSHOT: dict[str, Attack] = {"rasterised, footer cropped away": rasterise_without_footer}
# The line-shift mark's attacks (trace --original): every one crops the footer away.
CROPPED: dict[str, Attack] = {
    "150 dpi, JPEG q80, footer cropped": rasterise_without_footer,
    "100 dpi, JPEG q60, footer cropped": partial(scan, dpi=100, quality=60),
    "150 dpi, every margin cropped": partial(scan, crop=(50, 50, 50, 60)),
    "scaled 97 %, turned 0.5°, footer cropped": partial(scan, scale=0.97, turn=0.5),
    "print and scan, 300 dpi (blur, noise, 0.3°), margins cropped": partial(
        scan, dpi=300, turn=-0.3, blur=1.2, noise=12, quality=75, crop=(30, 30, 30, 50)
    ),
}
