"""The command line as one whole process: `exlibris stamp` against pdfrw and qpdf, in one run.

    .venv/bin/python -m bench.cli [--runs 9] [--books sample refman] [--pages 1000]

On each book (the generated 1,000-page sample with images, and Debian's R
reference manual from bench/books.py when r-doc-pdf is installed), every
command is timed from start to exit, imports and all, as an author runs it:

- `qpdf in out`, a plain rewrite by qpdf's own CLI (no stamp): the floor;
- a pdfrw overlay of the same footer (`python -m bench.stamp_peers pdfrw`,
  the overlay page made beforehand, outside the timing);
- `exlibris stamp` (`python -m console stamp`, what the installed script runs)
  and its old name `python -m worker stamp`.

One untimed round first (the page cache), then --runs rounds, the commands
taking turns so load on the machine hits them alike. Median and best; the
ratios are medians against qpdf and pdfrw measured in the same run. Nothing
here is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import books, stamp_peers

ROOT = Path(__file__).resolve().parent.parent
BUYER = ["--name", "Ada Lovelace", "--email", "ada@example.com", "--order", "txn_01hbench"]
TEXT = "Prepared exclusively for Ada Lovelace (ada@example.com) · Order txn_01hbench"


def whole_process(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def commands(source: Path, folder: Path) -> dict[str, list[str]]:
    overlay = folder / f"{source.stem}-overlay.pdf"
    overlay.write_bytes(stamp_peers.overlay_pdf(source, TEXT))
    python, out = sys.executable, str(folder / "out.pdf")
    return {
        "qpdf in out": ["qpdf", str(source), out],
        "pdfrw overlay": [
            python,
            "-m",
            "bench.stamp_peers",
            "pdfrw",
            str(source),
            out,
            str(overlay),
        ],
        "exlibris stamp": [python, "-m", "console", "stamp", str(source), out, *BUYER],
        "python -m worker stamp": [python, "-m", "worker", "stamp", str(source), out, *BUYER],
    }


def measure(cmds: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    for cmd in cmds.values():
        whole_process(cmd)  # untimed: the page cache, and a check that each command works
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(whole_process(cmd))
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    qpdf = statistics.median(times["qpdf in out"])
    pdfrw = statistics.median(times["pdfrw overlay"])
    print(f"\n{title}")
    print(f"{'command':<24}{'median s':>10}{'best s':>9}{'x qpdf':>9}{'x pdfrw':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        line = f"{name:<24}{median:>10.3f}{min(values):>9.3f}"
        print(f"{line}{median / qpdf:>9.2f}{median / pdfrw:>9.2f}")


def book(name: str, pages: int, folder: Path) -> Path | None:
    if name == "sample":
        from demo.sample_book import make_sample_book

        path = folder / "sample.pdf"
        path.write_bytes(make_sample_book(pages, images=True))
        return path
    path, package = books.INSTALLED[name]
    if not path.exists():
        print(f"\n{name}: {path} is missing (apt-get install {package}); skipped")
        return None
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--books", nargs="+", default=["sample", "refman"])
    parser.add_argument("--pages", type=int, default=1000, help="of the sample book")
    args = parser.parse_args()
    if shutil.which("qpdf") is None:
        print("qpdf is missing (apt-get install qpdf): it is the floor", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for title in args.books:
            source = book(title, args.pages, folder)
            if source is None:
                continue
            times = measure(commands(source, folder), args.runs)
            size = source.stat().st_size / 2**20
            report(f"{title}: {source.name}, {size:.1f} MB, {args.runs} runs", times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
