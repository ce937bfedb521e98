"""Preflight: what an author learns about a PDF before launch, and whether it stamps cleanly.

`check_pdf` is pure: it reads the original, lays out a trial stamp with the
same options the catalog gives (a plan, as the worker makes), stamps a copy
for a made-up buyer and compares the two (pages, outline, links), so a book
that would lose something fails here rather than in a buyer's hands. Beyond
that it warns, without failing, about what a reader would notice: content
poppler stops drawing, pages too small for a legible footer, and scripts and
Launch actions, which every copy keeps (_actions.py). Nothing in a
damaged file makes it raise: every fault is a sentence in the report.
`write_previews` is the thin edge that saves the trial copy and, where poppler
is installed, a PNG of the first stamped page for the author to look at.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from stamping.limits import Limits, spending
from stamping.pdf._original import describe, open_original
from stamping.pdf._outline_scan import lost_outline, outline_items_in
from stamping.pdf.footer import FontMissing, font_files, missing_glyphs
from stamping.pdf.plan import prepare_plan
from stamping.pdf.preflight._actions import action_warnings
from stamping.pdf.preflight._facts import Facts, read_facts
from stamping.pdf.preflight._page_checks import page_warnings
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle

TRIAL = Stamp(
    name="Zoë 王小明 محمد", email="reader@example.com", order_id="preflight", code="0000-0000-0000"
)
__all__ = ["TRIAL", "Facts", "Report", "check_pdf", "format_report", "read_facts"]


@dataclass(frozen=True)
class Report:
    facts: Facts | None
    problems: tuple[str, ...]  # the book does not stamp cleanly
    preview: bytes | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()  # stamps, but a reader would notice
    notes: tuple[str, ...] = ()  # what the stamp did differently for this book
    first_stamped: int = 1  # the page the preview PNG shows

    @property
    def clean(self) -> bool:
        return self.facts is not None and not self.problems


def check_pdf(
    data: bytes,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits | None = None,
) -> Report:
    """Read the facts of an original and stamp a trial copy; report what would go wrong."""
    with spending(limits):
        return _checked(data, style)


def _checked(data: bytes, style: StampStyle) -> Report:
    try:
        with open_original(data) as pdf:
            facts = read_facts(pdf)
            warnings = page_warnings(pdf) + action_warnings(pdf)
        plan = prepare_plan(data, style)
        preview = plan.copy(TRIAL)
        with pikepdf.open(io.BytesIO(preview)) as copy:
            after = read_facts(copy)
    except (StampError, FontMissing) as exc:
        return Report(facts=None, problems=(str(exc),))
    except pikepdf.PdfError as exc:
        return Report(facts=None, problems=(f"the PDF is damaged beyond repair ({describe(exc)})",))
    problems = [
        f"{what} changed from {getattr(facts, what)} to {getattr(after, what)}"
        for what in ("pages", "outline_items", "links")
        if getattr(facts, what) != getattr(after, what)
    ]
    problems += _outline_problems(data, facts)
    if missing_glyphs(TRIAL.name):
        problems.append(f"no installed font draws {missing_glyphs(TRIAL.name)!r} in buyers' names")
    first = min(style.skip_pages + 1, facts.pages)
    notes = tuple(n for n in plan.notes if n not in problems)  # a lost outline is a problem here
    return Report(facts, tuple(problems), preview, tuple(warnings), notes, first)


def _outline_problems(data: bytes, facts: Facts) -> list[str]:
    if facts.outline_items is None:
        return ["the outline cannot be read: copies would keep it as it is, broken"]
    if facts.outline_items == 0:
        found = outline_items_in(data)
        if found:
            return [lost_outline(found)]
    return []


def format_report(report: Report) -> str:
    """The report as lines an author reads in a terminal."""
    lines = []
    if report.facts is not None:
        f = report.facts
        items = "unreadable" if f.outline_items is None else f.outline_items
        lines += [f"pages:         {f.pages}", f"outline items: {items}"]
        lines += [f"links:         {f.links}", f"encryption:    {f.encryption}", "geometries:"]
        lines += [f"  {count:>5} x {g}" for g, count in f.geometries.items()]
        lines += ["fonts:"] + [f"  {name}" for name in f.fonts or ("(none)",)]
        lines += [
            f"stamp font {role}: {path or 'NOT INSTALLED'}" for role, path in font_files().items()
        ]
    lines += [f"note:          {n}" for n in report.notes]
    lines += [f"warning:       {w}" for w in report.warnings]
    lines += [f"problem:       {p}" for p in report.problems]
    lines.append(
        "verdict:       " + ("stamps cleanly" if report.clean else "does NOT stamp cleanly")
    )
    return "\n".join(lines)


def write_previews(report: Report, out_dir: Path, stem: str) -> list[Path]:
    """Save the stamped trial copy and a PNG of its first stamped page (with poppler)."""
    if report.preview is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{stem}.preview.pdf"
    pdf_path.write_bytes(report.preview)
    written = [pdf_path]
    if shutil.which("pdftoppm") and report.facts:
        page = str(report.first_stamped)
        png_stem = out_dir / f"{stem}.page{page}"
        args = ["pdftoppm", "-png", "-r", "100", "-f", page, "-l", page, "-singlefile"]
        subprocess.run([*args, str(pdf_path), str(png_stem)], check=True, capture_output=True)
        written.append(Path(f"{png_stem}.png"))
    return written
