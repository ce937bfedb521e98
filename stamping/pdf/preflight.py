"""Preflight: what an author learns about a PDF before launch, and whether it stamps cleanly.

`check_pdf` is pure: it reads the original, stamps a trial copy for a made-up
buyer and compares the two (pages, outline, links), so a book that would lose
something fails here rather than in a buyer's hands. `write_previews` is the
thin edge that saves the trial copy and, where poppler is installed, a PNG of
page 2 for the author to look at.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from stamping.pdf.fonts import FontMissing, font_files, missing_glyphs
from stamping.pdf.geometry import page_geometry
from stamping.pdf.original import open_original
from stamping.pdf.stamper import stamp_pdf
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle

TRIAL = Stamp(
    name="Zoë 王小明 محمد", email="reader@example.com", order_id="preflight", code="0000-0000-0000"
)


@dataclass(frozen=True)
class Facts:
    pages: int
    outline_items: int
    links: int
    encryption: str
    geometries: dict[str, int]
    fonts: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    facts: Facts | None
    problems: tuple[str, ...]
    preview: bytes | None = field(default=None, repr=False)

    @property
    def clean(self) -> bool:
        return self.facts is not None and not self.problems


def check_pdf(data: bytes, style: StampStyle = StampStyle()) -> Report:  # noqa: B008 - frozen
    """Read the facts of an original and stamp a trial copy; report what would go wrong."""
    try:
        with open_original(data) as pdf:
            facts = read_facts(pdf)
        preview = stamp_pdf(data, TRIAL, style)
        with pikepdf.open(io.BytesIO(preview)) as copy:
            after = read_facts(copy)
    except (StampError, FontMissing) as exc:
        return Report(facts=None, problems=(str(exc),))
    problems = [
        f"{what} changed from {getattr(facts, what)} to {getattr(after, what)}"
        for what in ("pages", "outline_items", "links")
        if getattr(facts, what) != getattr(after, what)
    ]
    if missing_glyphs(TRIAL.name):
        problems.append(f"no installed font draws {missing_glyphs(TRIAL.name)!r} in buyers' names")
    if style.skip_pages >= facts.pages:
        problems.append(f"skip_pages={style.skip_pages} leaves no page to stamp")
    return Report(facts=facts, problems=tuple(problems), preview=preview)


def read_facts(pdf: pikepdf.Pdf) -> Facts:
    """Count what matters to a reader: pages, bookmarks, links; describe geometry and fonts."""
    geometries: Counter[str] = Counter()
    fonts: set[str] = set()
    links = 0
    for page in pdf.pages:
        g = page_geometry(page.obj)
        w, h = g.reader_size
        geometries[f"{w:g}x{h:g} pt, rotated {g.rotate}"] += 1
        links += sum(a.get("/Subtype") == "/Link" for a in page.obj.get("/Annots", ()))
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            if isinstance(font, pikepdf.Dictionary):
                fonts.add(_font_name(font))
    with pdf.open_outline() as outline:
        items = _count(outline.root)
    return Facts(
        len(pdf.pages), items, links, _encryption(pdf), dict(geometries), tuple(sorted(fonts))
    )


def _count(items: list[pikepdf.OutlineItem]) -> int:
    return sum(1 + _count(item.children) for item in items)


def _font_name(font: pikepdf.Dictionary) -> str:
    name = str(font.get("/BaseFont", "/unnamed"))[1:]
    descendant = font.get("/DescendantFonts", [font])[0]
    descriptor = descendant.get("/FontDescriptor", pikepdf.Dictionary())
    embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return f"{name} ({'embedded' if embedded else 'not embedded'})"


def _encryption(pdf: pikepdf.Pdf) -> str:
    if not pdf.is_encrypted:
        return "none"
    return "owner password only (opens freely; restrictions are kept in copies)"


def format_report(report: Report) -> str:
    """The report as lines an author reads in a terminal."""
    lines = []
    if report.facts is not None:
        f = report.facts
        lines += [f"pages:         {f.pages}", f"outline items: {f.outline_items}"]
        lines += [f"links:         {f.links}", f"encryption:    {f.encryption}", "geometries:"]
        lines += [f"  {count:>5} x {g}" for g, count in f.geometries.items()]
        lines += ["fonts:"] + [f"  {name}" for name in f.fonts or ("(none)",)]
        lines += [
            f"stamp font {role}: {path or 'NOT INSTALLED'}" for role, path in font_files().items()
        ]
    lines += [f"problem:       {p}" for p in report.problems]
    lines.append(
        "verdict:       " + ("stamps cleanly" if report.clean else "does NOT stamp cleanly")
    )
    return "\n".join(lines)


def write_previews(report: Report, out_dir: Path, stem: str) -> list[Path]:
    """Save the stamped trial copy and a PNG of its page 2 (when pdftoppm is installed)."""
    if report.preview is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{stem}.preview.pdf"
    pdf_path.write_bytes(report.preview)
    written = [pdf_path]
    if shutil.which("pdftoppm") and report.facts and report.facts.pages >= 2:
        png_stem = out_dir / f"{stem}.page2"
        args = ["pdftoppm", "-png", "-r", "100", "-f", "2", "-l", "2", "-singlefile"]
        subprocess.run([*args, str(pdf_path), str(png_stem)], check=True, capture_output=True)
        written.append(Path(f"{png_stem}.png"))
    return written
