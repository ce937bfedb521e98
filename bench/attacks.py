"""The attack table: what `python -m worker trace` finds after what pirates do, on a big copy.

    .venv/bin/python bench/attacks.py [--pages 329] [--ocr-pages 40]
    .venv/bin/python bench/attacks.py --lines [--pages 14] [--orders 20] [--wrong 1000]

Stamps the sample book (outline, links, one image per chapter) for two
buyers, runs every attack of the suite (tests/support/attacks.py, the real
Debian tools) on the first buyer's copy, plus the two copies merged page by
page, then traces each result through the command line exactly as support
would (`trace --json`, STAMP_SECRET set). Prints one Markdown row per attack:
whether the buyer was found, by which marks, on how many pages, and the
seconds the attack and the trace took. The README's table comes from here.

`--lines` prints the line-shift table instead (trace --original): `--orders`
buyers' copies of a `--pages`-page sample book go through each cropped-raster
attack (tests/support/attacks.py's CROPPED: the footer is always cropped
away), and each result is read against the original (the engine's
read_moves and named, which `trace --original` runs) with every buyer's code
and `--wrong` codes never issued as candidates. A row says for how many
buyers the right order was named, the median z, the weakest confidence (the
chance that any candidate matches as well by accident; a name needs it
below 1e-9), how many wrong codes were named (false positives, of orders
times wrong candidates) and the highest z a wrong code reached. The
original's pages are drawn once per run (the command draws them per trace).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from common.codes import make_code
from demo.sample_book import make_sample_book
from stamping.formats import prepare
from stamping.pdf import stamp_pdf
from stamping.pdf.lineshift import named, read_moves
from stamping.raster import render_pages
from stamping.stamp import Stamp
from tests.support import attacks

ROOT = Path(__file__).resolve().parent.parent

SECRET = "bench-attacks-secret"  # noqa: S105 - a made-up shop
BUYERS = ("txn_01hbenchada", "txn_01hbenchbob")
LETTERS = {make_code(SECRET, order): letter for order, letter in zip(BUYERS, "AB", strict=True)}


def stamped_copies(
    book: bytes, stamp_book: Callable[[bytes, Stamp], bytes], work: Path, suffix: str
) -> list[Path]:
    """One copy per buyer of BUYERS, written to work/<order><suffix>."""
    copies = []
    for n, order in enumerate(BUYERS):
        stamp = Stamp(f"Buyer {n}", f"buyer{n}@example.com", order, make_code(SECRET, order))
        copies.append(work / f"{order}{suffix}")
        copies[-1].write_bytes(stamp_book(book, stamp))
    return copies


def attacked(
    copy: Path, attack: Callable[[Path, Path], object] | None, target: Path
) -> tuple[Path, float]:
    """The copy after the attack (the copy itself for none), and the attack's seconds."""
    started = time.perf_counter()
    if attack is None:
        return copy, time.perf_counter() - started
    attack(copy, target)
    return target, time.perf_counter() - started


def trace(path: Path, ocr_pages: int) -> tuple[dict, float, int]:
    """The trace command's JSON answer, its seconds and its exit status."""
    env = {**os.environ, "STAMP_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "worker", "trace", "--json", "--ocr-pages", str(ocr_pages)]
    started = time.perf_counter()
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    answer = json.loads(done.stdout) if done.stdout.strip() else {"orders": []}
    return answer, seconds, done.returncode


def row(name: str, answer: dict, attack_s: float, trace_s: float, pages: int) -> str:
    """One Markdown row: found (which orders), marks, pages carrying them, seconds."""
    found = sorted(
        (o for o in answer["orders"] if o["authentic"]), key=lambda o: LETTERS.get(o["code"], "?")
    )
    if not found:
        verdict, marks, where = "**no**", "-", "-"
    else:
        verdict = "yes: " + " and ".join(
            f"buyer {LETTERS.get(o['code'], '?')}" + ("" if o["order_id"] else " (code only)")
            for o in found
        )
        marks = "; ".join(", ".join(o["marks"]) for o in found)
        where = "; ".join(_count(o["pages"]) for o in found)
    return f"| {name} | {verdict} | {marks} | {where} of {pages} | {attack_s:.1f} | {trace_s:.1f} |"


def _count(ranges: str) -> str:
    total = 0
    for part in filter(None, (p.strip() for p in ranges.split(","))):
        first, _, last = part.partition("-")
        total += int(last or first) - int(first) + 1
    return str(total)


def lines_table(pages: int, orders: int, wrong: int) -> None:
    """The line-shift table: each cropped-raster attack on every buyer's copy, read against
    the original and scored for the shop's codes plus `wrong` codes never issued."""
    book = make_sample_book(pages)
    buyers = [f"txn_lines_{n:02d}" for n in range(orders)]
    codes = [make_code(SECRET, order) for order in buyers]
    never = [make_code(SECRET, f"never-issued-{n}") for n in range(wrong)]
    drawn: dict[int, Image.Image] = {}

    def render(data: bytes, sizes: dict[int, tuple[float, float]]) -> dict[int, Image.Image]:
        if data is not book:
            return render_pages(data, sizes)
        drawn.update(render_pages(data, {n: s for n, s in sizes.items() if n not in drawn}))
        return {n: drawn[n] for n in sizes}

    plan = prepare(book)
    print(f"{pages}-page sample book, {orders} buyers, {orders + wrong} candidates each\n")
    print("| attack (footer always cropped) | named | median z | weakest confidence "
          "| wrong named | highest wrong z | attack s | read s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="exlibris-lines-") as folder:
        copy, attacked = Path(folder) / "copy.pdf", Path(folder) / "attacked.pdf"
        for name, attack in attacks.CROPPED.items():
            found, zs, weakest, false, top_wrong, attack_s, read_s = 0, [], 0.0, 0, 0.0, 0.0, 0.0
            for order, code in zip(buyers, codes, strict=True):
                copy.write_bytes(plan.copy(Stamp("Buyer", "b@example.com", order, code)))
                started = time.perf_counter()
                attack(copy, attacked)
                attack_s += time.perf_counter() - started
                started = time.perf_counter()
                readings = read_moves(book, attacked.read_bytes(), pages, render)
                read_s += time.perf_counter() - started
                candidates = [*codes, *never]
                chosen = {c: s for c, s in named(readings, candidates)}
                found += code in chosen
                false += len(set(chosen) - {code})
                score = readings.score(code)
                zs.append(score.z)
                weakest = max(weakest, score.bound * len(candidates))
                top_wrong = max(readings.score(c).z for c in candidates if c != code)
            median = sorted(zs)[len(zs) // 2]
            print(
                f"| {name} | {found} of {orders} | {median:.1f} | {min(weakest, 1):.0e} "
                f"| {false} of {orders * (wrong + orders - 1)} | {top_wrong:.1f} "
                f"| {attack_s / orders:.1f} | {read_s / orders:.1f} |",
                flush=True,
            )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--pages", type=int, default=None)
    options.add_argument("--ocr-pages", type=int, default=40)
    options.add_argument("--lines", action="store_true", help="the line-shift table only")
    options.add_argument("--orders", type=int, default=20)
    options.add_argument("--wrong", type=int, default=1000)
    args = options.parse_args()
    if args.lines:
        lines_table(args.pages or 14, args.orders, args.wrong)
        return
    args.pages = args.pages or 329
    book = make_sample_book(args.pages, images=True)
    with tempfile.TemporaryDirectory(prefix="exlibris-attacks-") as folder:
        work = Path(folder)
        copies = stamped_copies(book, stamp_pdf, work, ".pdf")
        size = copies[0].stat().st_size / 2**20
        print(f"{args.pages}-page copy, {size:.1f} MB; OCR reads up to {args.ocr_pages} pages\n")
        print("| attack | found? | marks that carried the order | pages | attack s | trace s |")
        print("|---|---|---|---|---|---|")
        moonshot = {f"moonshot: {name}": attack for name, attack in attacks.MOONSHOT.items()}
        runs = {"none (the copy as sold)": None, **attacks.ATTACKS, **moonshot}
        for name, attack in runs.items():
            target, attack_s = attacked(copies[0], attack, work / "attacked.pdf")
            answer, trace_s, _ = trace(target, args.ocr_pages)
            print(row(name, answer, attack_s, trace_s, args.pages), flush=True)
        merged = work / "merged.pdf"
        started = time.perf_counter()
        attacks.merge_page_by_page(copies[0], copies[1], merged)
        attack_s = time.perf_counter() - started
        answer, trace_s, _ = trace(merged, args.ocr_pages)
        name = "two buyers merged page by page (qpdf --collate)"
        print(row(name, answer, attack_s, trace_s, args.pages))


if __name__ == "__main__":
    main()
