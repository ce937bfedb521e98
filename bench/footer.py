"""Footer micro-benchmark: the per-copy cost of drawing the stamp, next to a qpdf rewrite.

    .venv/bin/python -m bench.footer [--repeat 200]      (from the checkout's root)

Per copy, the engine draws one footer: shaping, font choice, subsetting and
the PDF objects (stamping.pdf.footer.render_footer into a fresh document).
This prints the milliseconds per footer for a Latin name, a mixed-script
name (Devanagari, Arabic, Han: four fonts), a name per heavy script, and a
10,000-character name, each the median of --repeat runs after one warm-up
(fonts opened, as in a long-lived worker), next to a plain `qpdf in out`
rewrite of the 48-page sample book measured in the same run (the floor of
any copy). Times are CPU time (the process's, qpdf's as a child), which other
work on the two shared cores disturbs far less than wall-clock time. It
also starts fresh processes to show the lean cold start: import plus the
first footer (wall-clock), with the fonts each one opened. Needs qpdf.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pikepdf

from demo.sample_book import make_sample_book
from stamping.pdf.footer import render_footer
from stamping.style import StampStyle

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "Prepared exclusively for {} (reader@example.com) · Order txn_01hbench · KQMV-2F9W-SZEY"
NAMES = {
    "Latin": "Ada Lovelace",
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "mixed": "राम शर्मा محمد 王小明",
    "Devanagari": "राम शर्मा",
    "Urdu (Nastaliq)": "ثانیہ مرزا",
    "Han (CFF)": "王小明",
    "10,000 chars": "Bartholomew " * 833,
}
STYLE = StampStyle()
COLD = """
import time
started = time.perf_counter()
import pikepdf
from stamping.pdf.footer import render_footer
from stamping.style import StampStyle
imported = time.perf_counter()
render_footer(pikepdf.new(), {text!r}, StampStyle(), page_width=595)
done = time.perf_counter()
from stamping.pdf import faces
print(imported - started, done - imported, ",".join(r.file for r in faces.opened()))
"""


def footer_ms(text: str, repeat: int) -> float:
    """Median CPU milliseconds to render one footer into a fresh document."""

    def once() -> float:
        with pikepdf.new() as pdf:
            started = time.process_time()
            render_footer(pdf, text, STYLE, page_width=595)
            return time.process_time() - started

    once()  # opens the fonts, as the first copy of a worker does
    return statistics.median(once() for _ in range(repeat)) * 1000


def qpdf_rewrite_ms(repeat: int) -> float:
    """Median CPU milliseconds (user + system) of `qpdf in out` on the 48-page sample book."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        source.write_bytes(make_sample_book(pages=48))
        runs = []
        for _ in range(max(5, repeat // 10)):
            before = _children_cpu()
            subprocess.run(["qpdf", str(source), str(target)], check=True)
            runs.append(_children_cpu() - before)
    return statistics.median(runs) * 1000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_start(text: str) -> tuple[float, float, str]:
    """In a fresh process: import seconds, first-footer seconds, the font files opened."""
    code = COLD.format(text=text)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    imported, first, fonts = result.stdout.split()
    return float(imported), float(first), fonts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    rewrite = qpdf_rewrite_ms(repeat)
    print(f"qpdf rewrite of the 48-page sample book: {rewrite:.1f} ms CPU (the floor of a copy)\n")
    print(f"{'name':18} {'CPU ms/footer':>13} {'x rewrite':>9}")
    for label, name in NAMES.items():
        ms = footer_ms(TEMPLATE.format(name), repeat)
        print(f"{label:18} {ms:13.2f} {ms / rewrite:9.2f}")
    print("\ncold start (fresh process: import, then the first footer; fonts opened)")
    for label in ("Latin", "mixed"):
        imported, first, fonts = cold_start(TEMPLATE.format(NAMES[label]))
        print(f"{label:18} import {imported * 1000:6.0f} ms  first footer {first * 1000:6.0f} ms")
        print(f"{'':18} {fonts}")


if __name__ == "__main__":
    main()
