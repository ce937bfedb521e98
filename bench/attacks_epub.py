"""The EPUB attack table: what trace finds after what copiers do to an EPUB copy.

    PYTHONPATH=$PWD .venv/bin/python bench/attacks_epub.py [--chapters 6] [--images 6]

Stamps the demo's sample EPUB (demo/sample_epub.py) for two buyers through
the engines' registry (stamping.formats.stamp_file), runs every attack of
tests/support/attacks_epub.py (hand edits, calibre's ebook-convert, pandoc)
on the first buyer's copy, plus the two copies stitched chapter after
chapter, and traces each result with stamping.formats.trace_file and the
checker `trace` uses. Prints one Markdown row per attack: whether the buyer
was found, by which marks, and the seconds the attack and the trace took.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from attacks import BUYERS, SECRET, attacked, stamped_copies

from common.codes import make_code
from console.files._trace import authentic_with
from demo.sample_epub import make_sample_epub
from stamping.formats import stamp_file, trace_file
from stamping.trace import Trace
from tests.support import attacks_epub

LETTERS = {make_code(SECRET, order): letter for order, letter in zip(BUYERS, "AB", strict=True)}


def traced(path: Path) -> tuple[Trace, float]:
    started = time.perf_counter()
    found = trace_file(path.read_bytes(), authentic_with(SECRET))
    return found, time.perf_counter() - started


def row(name: str, found: Trace, attack_s: float, trace_s: float) -> str:
    """One Markdown row: found (which buyers), the marks that carried them, seconds."""
    buyers = sorted(
        (f for f in found.findings if f.authentic), key=lambda f: LETTERS.get(f.code or "", "?")
    )
    if not buyers:
        verdict, marks = "**no**", "-"
    else:
        verdict = "yes: " + " and ".join(
            f"buyer {LETTERS.get(f.code or '', '?')}" + ("" if f.order_id else " (code only)")
            for f in buyers
        )
        marks = "; ".join(", ".join(f.marks) for f in buyers)
    return f"| {name} | {verdict} | {marks} | {attack_s:.2f} | {trace_s:.2f} |"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--chapters", type=int, default=6)
    options.add_argument("--images", type=int, default=6)
    args = options.parse_args()
    book = make_sample_epub(args.chapters, images=args.images)
    with tempfile.TemporaryDirectory(prefix="exlibris-epub-attacks-") as folder:
        work = Path(folder)
        copies = stamped_copies(book, stamp_file, work, ".epub")
        size = copies[0].stat().st_size / 2**20
        print(f"sample EPUB, {args.chapters} chapters, {args.images} images, {size:.1f} MB\n")
        print("| attack | found? | marks that carried the order | attack s | trace s |")
        print("|---|---|---|---|---|")
        runs = {"none (the copy as sold)": None, **attacks_epub.ATTACKS}
        for name, attack in runs.items():
            target, attack_s = attacked(copies[0], attack, work / "attacked.epub")
            found, trace_s = traced(target)
            print(row(name, found, attack_s, trace_s), flush=True)
        merged = work / "merged.epub"
        started = time.perf_counter()
        attacks_epub.merge_chapters(copies[0], copies[1], merged)
        attack_s = time.perf_counter() - started
        found, trace_s = traced(merged)
        print(row("two buyers merged (A's book, then B's chapters)", found, attack_s, trace_s))


if __name__ == "__main__":
    main()
