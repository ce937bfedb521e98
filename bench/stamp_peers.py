"""The same footer stamp done by each tool the stamping benchmark compares (bench/stamp.py).

Peers get a ready-made overlay page (the footer drawn by reportlab with DejaVu
Sans, made once, outside the timing), which is how each of them is normally
used; exlibris draws its own footer inside the timing, once per copy.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

Args = tuple[str, str, str, str]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def overlay_pdf(source: Path, text: str) -> bytes:
    """One page the size of the book's page 2, with the footer at the bottom centre."""
    import pikepdf
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("BenchSans", str(DEJAVU)))
    with pikepdf.open(source) as pdf:
        _, _, width, height = (float(v) for v in pdf.pages[min(1, len(pdf.pages) - 1)].mediabox)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(width, height))
    canvas.setFillColorRGB(0.33, 0.33, 0.33, alpha=0.85)
    canvas.setFont("BenchSans", 8)
    canvas.drawCentredString(width / 2, 14, text)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def exlibris_copies(source: Path, target: Path, copies: int, args: Args) -> float:
    """Prepare the plan, write `copies` copies; the perf_counter when the first was written."""
    from stamping.pdf.plan import prepare_plan
    from stamping.stamp import Stamp

    plan = prepare_plan(source)
    first = 0.0
    for n in range(copies):
        name, email, order, code = args
        with target.with_name(f"{target.stem}-{n}.pdf").open("wb") as out:
            plan.write(Stamp(f"{name} {n}", email, f"{order}-{n}", code), out)
        first = first or time.perf_counter()
    return first


def before_plan(source: Path, target: Path, overlay: Path, args: Args) -> None:
    """The engine before the plan (its own modules come first on PYTHONPATH)."""
    from worker.stamping import Stamp, stamp_pdf  # type: ignore[import-not-found]

    target.write_bytes(stamp_pdf(source.read_bytes(), Stamp(*args)))


def pypdf_merge(source: Path, target: Path, overlay: Path, args: Args) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    stamp = PdfReader(overlay).pages[0]
    for page in writer.pages[1:]:
        page.merge_page(stamp)
    with target.open("wb") as out:
        writer.write(out)


def pdfrw_merge(source: Path, target: Path, overlay: Path, args: Args) -> None:
    from pdfrw import PageMerge, PdfReader, PdfWriter

    reader = PdfReader(str(source))
    stamp = PageMerge().add(PdfReader(str(overlay)).pages[0])[0]
    for page in reader.pages[1:]:
        PageMerge(page).add(stamp).render()
    PdfWriter(str(target), trailer=reader).write()


def pymupdf_show(source: Path, target: Path, overlay: Path, args: Args) -> None:
    import pymupdf

    doc = pymupdf.open(source)
    stamp = pymupdf.open(overlay)
    for page in doc.pages(1):
        page.show_pdf_page(page.rect, stamp, 0)
    doc.save(target)


def qpdf_overlay(source: Path, target: Path, overlay: Path, args: Args) -> None:
    cmd = ["qpdf", str(source), "--overlay", str(overlay), "--to=2-z", "--repeat=1", "--"]
    subprocess.run([*cmd, str(target)], check=True)


def qpdf_rewrite(source: Path, target: Path, overlay: Path, args: Args) -> None:
    subprocess.run(["qpdf", str(source), str(target)], check=True)


def copy_files(source: Path, target: Path, copies: int) -> float:
    """`cp` n times: copying the book's bytes, the limit of any per-copy stamp; first done at."""
    first = 0.0
    for n in range(copies):
        subprocess.run(
            ["cp", str(source), str(target.with_name(f"{target.stem}-{n}.pdf"))], check=True
        )
        first = first or time.perf_counter()
    return first


def copy_file(source: Path, target: Path, overlay: Path, args: Args) -> None:
    copy_files(source, target, 1)


def _exlibris(source: Path, target: Path, overlay: Path, args: Args) -> None:
    exlibris_copies(source, target, 1, args)


TOOLS: dict[str, Callable[[Path, Path, Path, Args], None]] = {
    "qpdf rewrite": qpdf_rewrite,
    "cp": copy_file,
    "exlibris": _exlibris,
    "exlibris before the plan": before_plan,
    "pdfrw": pdfrw_merge,
    "PyMuPDF": pymupdf_show,
    "qpdf --overlay": qpdf_overlay,
    "pypdf": pypdf_merge,
}
_NEEDS = {"PyMuPDF": "pymupdf", "pypdf": "pypdf", "pdfrw": "pdfrw"}


def warm_up(tool: str) -> None:
    """What a long-lived process has done before its first order: imports, font loading."""
    if tool == "exlibris":
        from demo.sample_book import make_sample_book
        from stamping.pdf import stamp_pdf
        from stamping.stamp import Stamp

        stamp_pdf(make_sample_book(3), Stamp("warm", "up@example.com", "0", "0000-0000-0000"))
    elif tool == "exlibris before the plan":
        from worker.stamping import Stamp, stamp_pdf

        from demo.sample_book import make_sample_book

        stamp_pdf(make_sample_book(3), Stamp("warm", "up@example.com", "0", "0000-0000-0000"))
    elif tool in _NEEDS:
        importlib.import_module(_NEEDS[tool])


def missing(tool: str) -> str:
    """Why a tool cannot run here, or "" when it can."""
    if tool.startswith("qpdf") and shutil.which("qpdf") is None:
        return "qpdf CLI not installed: apt-get install qpdf"
    module = _NEEDS.get(tool)
    if module and importlib.util.find_spec(module) is None:
        return f"{module} not installed: make (requirements-dev.txt)"
    return ""


if __name__ == "__main__":  # python -m bench.stamp_peers TOOL IN OUT OVERLAY: one whole process
    name, source, target, overlay = sys.argv[1:5]
    TOOLS[name](Path(source), Path(target), Path(overlay), ("", "", "", ""))
