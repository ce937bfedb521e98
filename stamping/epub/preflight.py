"""Preflight of an EPUB: what will be stamped where, and proof that a trial copy loses nothing.

`check_epub` is pure: it reads the original, stamps a trial copy for a
made-up buyer and checks it (fidelity.py) and its marks (tracing.py), so a
book that would lose something fails here rather than in a buyer's hands. A
DRM-protected book is refused here with the reason; what Send to Kindle is known
to refuse is warned about (kindle.py). `write_previews` is the
thin edge that saves the trial copy and its ex-libris page for the author.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import stamping.epub.encryption as encryption
from stamping.epub.book import Book, open_book
from stamping.epub.exlibris import page_css, page_xhtml
from stamping.epub.fidelity import copy_problems
from stamping.epub.kindle import kindle_warnings
from stamping.epub.plan import Plan, plan_stamp
from stamping.epub.stamper import MIMETYPE, stamp_epub
from stamping.epub.tracing import trace_epub
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle

TRIAL = Stamp(
    name="Zoë 王小明 محمد",
    email="reader@example.com",
    order_id="preflight",
    code="0000-0000-0000",
    verify_url="https://example.com/verify?code=0000-0000-0000",
)


@dataclass(frozen=True)
class Report:
    facts: tuple[tuple[str, str], ...]  # (label, value), in reading order
    problems: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # stamps, but every buyer's copy keeps it
    preview: bytes | None = field(default=None, repr=False)
    page: dict[str, bytes] = field(default_factory=dict, repr=False)  # the page and its CSS

    @property
    def clean(self) -> bool:
        return bool(self.facts) and not self.problems


def check_epub(data: bytes, style: StampStyle = StampStyle()) -> Report:  # noqa: B008 - frozen
    """Describe the book and where it will be stamped; stamp a trial copy and verify it."""
    try:
        book = open_book(data)
        plan = plan_stamp(book, style)
        preview = stamp_epub(data, TRIAL, style)
    except StampError as exc:
        return Report(facts=(), problems=(str(exc),))
    problems = copy_problems(book, plan, preview)
    trace = trace_epub(preview)
    if (trace.order_id, trace.code) != (TRIAL.order_id, TRIAL.code):
        problems.append(f"the trial copy traces to {trace.order_id!r}, not {TRIAL.order_id!r}")
    page = {
        "exlibris.xhtml": page_xhtml(plan.page, TRIAL, style.exlibris_template, "exlibris.css"),
        "exlibris.css": page_css(plan.page, style.color),
    }
    return Report(
        facts=describe(book, plan, style),
        problems=tuple(problems),
        warnings=_warnings(book) + kindle_warnings(book, len(preview)),
        preview=preview,
        page={name: text.encode() for name, text in page.items()},
    )


def describe(book: Book, plan: Plan, style: StampStyle) -> tuple[tuple[str, str], ...]:
    """What the author should know: the book's shape, and where each mark goes."""
    package, spine = book.package, book.package.spine
    layouts = Counter("fixed-layout" if r.fixed else "reflowable" for r in spine)
    fonts = Counter(encryption.OBFUSCATION[e.algorithm] for e in book.encrypted)
    after = f"after {spine[plan.cover].item.path}" if plan.cover is not None else "first"
    footers = sum(t.footer for t in plan.targets)
    size = plan.page.viewport
    return (
        ("EPUB version", package.version),
        ("package", package.path),
        ("identifier", repr(package.unique_id)),
        ("language", package.language or "(none)"),
        ("layout", ", ".join(f"{n} {kind}" for kind, n in layouts.items())),
        ("spine", f"{len(spine)} documents"),
        ("navigation", package.nav.path if package.nav else "no nav document (NCX only)"),
        ("fonts", ", ".join(f"{n} with {a}" for a, n in fonts.items()) or "none obfuscated"),
        ("ex-libris page", f"{plan.page_path}, {after} in the spine, not in the nav or NCX"),
        ("page size", f"{size[0]}x{size[1]} px (the book's viewport)" if size else "reflowable"),
        ("footer", f"{footers} of {len(spine)} documents (footer = {style.footer!r})"),
        ("footer text", style.footer_template),
        ("hidden marks", f"OPF meta, zip comment; comment + attribute in {len(plan.targets)} docs"),
    )


def _warnings(book: Book) -> tuple[str, ...]:
    """What a copy keeps as the original has it, though a reading system may balk at it."""
    found = []
    if book.archive.has("mimetype"):
        mimetype = book.archive.read("mimetype", limit=1024)
        if mimetype != MIMETYPE:
            # OCF 3.3 (4.2.4): the mimetype file holds exactly "application/epub+zip"; the
            # copies keep the original's, and a strict reading system refuses the book.
            found.append(
                f"the mimetype entry says {mimetype.decode('utf-8', 'replace')[:60]!r}, not "
                f"{MIMETYPE.decode()!r}: every copy keeps it, and a strict reading system "
                "refuses such a book; re-zip the book with the right mimetype"
            )
    return tuple(found)


def format_report(report: Report) -> str:
    """The report as lines an author reads in a terminal."""
    lines = [f"{label + ':':<16}{value}" for label, value in report.facts]
    lines += [f"{'warning:':<16}{w}" for w in report.warnings]
    lines += [f"{'problem:':<16}{p}" for p in report.problems]
    verdict = "stamps cleanly" if report.clean else "does NOT stamp cleanly"
    return "\n".join([*lines, f"{'verdict:':<16}{verdict}"])


def write_previews(report: Report, out_dir: Path, stem: str) -> list[Path]:
    """Save the stamped trial copy, and its ex-libris page (with CSS) to open in a browser."""
    if report.preview is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    copy = out_dir / f"{stem}.preview.epub"
    copy.write_bytes(report.preview)
    folder = out_dir / f"{stem}.preview"
    folder.mkdir(exist_ok=True)
    written = [copy]
    for name, data in report.page.items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written
