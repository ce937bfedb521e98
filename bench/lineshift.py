"""What the line-shift mark costs: how far lines move, how many pixels change, per-copy time.

    .venv/bin/python bench/lineshift.py [--books sample prose refman]

For each book one copy is stamped; on each carrying page the largest move
of a baseline is read back from the content (the engine's own reading), and
the copy and the original are drawn by poppler at 150 dpi, grey, the footer
band (the bottom 40 pt) left out: the table gives the largest pixel change,
the mean change, and the share of pixels that change at all and by more
than a quarter of the grey scale. Per copy: the carrying pages' lists, all a
copy adds for the mark, timed over 200 copies.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import pikepdf
from PIL import ImageChops, ImageStat

from demo.sample_book import make_sample_book
from stamping.pdf.lineshift import carrying_pages, page_lines
from stamping.pdf.plan import prepare_plan
from stamping.raster import render_pages
from stamping.stamp import Stamp
from tests.support import pdfs

ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_01hbench", "KQMV-2F9W-SZEY")
REFMAN = Path("/usr/share/R/doc/manual/refman.pdf")
FOOTER_BAND = 40  # points


def books(names: list[str]) -> dict[str, bytes]:
    made = {"sample": lambda: make_sample_book(14), "prose": lambda: pdfs.prose(6)}
    found = {n: made[n]() for n in names if n in made}
    if "refman" in names and REFMAN.is_file():
        found["refman"] = REFMAN.read_bytes()
    return found


def measure(name: str, book: bytes) -> None:
    started = time.perf_counter()
    plan = prepare_plan(book)
    prepared = time.perf_counter() - started
    copy = plan.copy(ADA)
    with pikepdf.open(io.BytesIO(book)) as pdf, pikepdf.open(io.BytesIO(copy)) as stamped:
        carrying = carrying_pages(pdf)
        sizes = {n + 1: (float(pdf.pages[n].mediabox[2]), float(pdf.pages[n].mediabox[3]))
                 for n in carrying}  # fmt: skip
        moves = [
            abs(b.y - a.y)
            for n in carrying
            for a, b in zip(carrying[n].lines, page_lines(stamped.pages[n]).lines, strict=False)
        ]
    before, after = render_pages(book, sizes), render_pages(copy, sizes)
    worst, means, changed, strong = 0, [], 0.0, 0.0
    for n, image in before.items():
        band = round(FOOTER_BAND * image.height / sizes[n][1])
        body = (0, 0, image.width, image.height - band)
        diff = ImageChops.difference(image.crop(body), after[n].crop(body))
        histogram = diff.histogram()
        total = sum(histogram)
        worst = max(worst, max(v for v, c in enumerate(histogram) if c))
        means.append(ImageStat.Stat(diff).mean[0])
        changed += sum(histogram[1:]) / total / len(before)
        strong += sum(histogram[64:]) / total / len(before)
    started = time.perf_counter()
    for _ in range(200):
        [c.contents(ADA.code) for c in plan.carriers]
    per_copy = (time.perf_counter() - started) / 200
    marked = sum(len(lines.marked) for lines in carrying.values())
    print(
        f"| {name} | {len(carrying)} | {marked} | {max(moves):.3f} | {worst} "
        f"| {sum(means) / len(means):.3f} | {changed:.2%} | {strong:.2%} "
        f"| {per_copy * 1000:.2f} | {prepared:.1f} |",
        flush=True,
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--books", nargs="+", default=["sample", "prose", "refman"])
    args = options.parse_args()
    print("| book | carrying pages | marked lines | largest move pt | largest pixel change "
          "| mean change | pixels changed | by > 64 | per copy ms | prepare s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, book in books(args.books).items():
        measure(name, book)


if __name__ == "__main__":
    main()
