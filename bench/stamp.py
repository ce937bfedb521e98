"""Stamping benchmark: one more copy against a plain rewrite, beside the peers, in one command.

    .venv/bin/python -m bench.stamp [--books refman source3 comic sample] [--copies 21] [--repeat 2]

On each book (bench/books.py: the 2,415-page R reference manual, the
1,611-page LaTeX3 sources, a generated 300 MB photo book, and the 1,000-page
sample book), every tool runs in its own process, so its peak memory (VmHWM)
is its own:

- `qpdf in out`, the plain rewrite every ratio is against (qpdf's own CLI);
- `cp`, copying the file: the limit of any per-copy cost;
- exlibris: the plan prepared once, then `--copies` copies written one by one
  (as stamp-batch and the worker do); T(1) is the time until the first copy
  is written, so one more copy costs (T(n) - T(1)) / (n - 1);
- exlibris before the plan (commit f2bc841, a full rewrite per buyer),
  checked out from git into a temporary folder: "today's time" of issue 16;
- pdfrw, pypdf, PyMuPDF and `qpdf --overlay`, each stamping the same footer
  from a ready-made overlay page, as each is normally used.

Imports and one small stamp happen before the clock starts, as in a
long-lived worker. Peers that are not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import books, stamp_peers

ROOT = Path(__file__).resolve().parent.parent
BEFORE_PLAN = "f2bc841"  # the last commit whose engine rewrote the whole book per buyer
STAMP_ARGS = ("Ada Lovelace", "ada@example.com", "txn_01hbench", "KQMV-2F9W-SZEY")
TEXT = "Prepared exclusively for {} ({}) · Order {} · {}".format(*STAMP_ARGS)


def child(tool: str, source: Path, target: Path, overlay: Path, copies: int) -> dict[str, float]:
    """Inside the child: warm up, do the work, report times and peak memory."""
    stamp_peers.warm_up(tool)
    started = time.perf_counter()
    if tool == "exlibris":
        first = stamp_peers.exlibris_copies(source, target, copies, STAMP_ARGS) - started
    elif tool == "cp":
        first = stamp_peers.copy_files(source, target, copies) - started
    else:
        stamp_peers.TOOLS[tool](source, target, overlay, STAMP_ARGS)
        first = time.perf_counter() - started
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = children if tool.startswith("qpdf") or tool == "cp" else _own_peak_kb()
    return {"seconds": seconds, "first": first, "peak_kb": peak}


def _own_peak_kb() -> int:
    """Peak RSS of this process since exec: VmHWM (ru_maxrss carries the parent's over)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(
    tool: str, source: Path, folder: Path, overlay: Path, copies: int, repeat: int
) -> dict[str, float | str]:
    """Best of `repeat` child runs; {"error": …} if the tool fails."""
    best: dict | None = None
    target = folder / f"{tool.replace(' ', '_')}.pdf"
    for _ in range(repeat):
        args = [sys.executable, "-m", "bench.stamp", "--child", tool, str(source), str(target)]
        env, cwd = dict(os.environ), ROOT
        if tool == "exlibris before the plan":  # its common/ and worker/ come first on the path
            cwd = _old_engine(folder)
            env["PYTHONPATH"] = f"{cwd}{os.pathsep}{ROOT}"
        done = subprocess.run(
            [*args, str(overlay), "--copies", str(copies)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
        )
        _settle(folder, target)
        if done.returncode != 0:
            return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def _settle(folder: Path, target: Path) -> None:
    """Delete a run's copies and flush the disk, so the next run pays no writeback of this one."""
    for copy in folder.glob(f"{target.stem}*.pdf"):
        copy.unlink()
    os.sync()


def _old_engine(folder: Path) -> Path:
    """The engine of BEFORE_PLAN, checked out once into folder/before-plan."""
    where = folder / "before-plan"
    if not where.exists():
        where.mkdir()
        command = ["git", "archive", BEFORE_PLAN, "common", "worker"]
        archive = subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where


def bench_book(name: str, source: Path, folder: Path, copies: int, repeat: int) -> None:
    overlay = folder / "overlay.pdf"
    overlay.write_bytes(stamp_peers.overlay_pdf(source, TEXT))
    import pikepdf

    with pikepdf.open(source) as pdf:
        pages = len(pdf.pages)
    size_mb = source.stat().st_size / 2**20
    print(f"\n{name}: {pages} pages, {size_mb:.1f} MB")
    print(f"{'tool':<26}{'seconds':>9}{'x rewrite':>11}{'peak MB':>9}  one more copy")
    floor = None
    for tool in stamp_peers.TOOLS:
        missing = stamp_peers.missing(tool)
        if missing:
            print(f"{tool:<26}{'skipped':>9}  ({missing})")
            continue
        many = tool in ("exlibris", "cp")  # the two that write n copies: one more vs the limit
        result = measure(tool, source, folder, overlay, copies if many else 1, repeat)
        if "error" in result:
            print(f"{tool:<26}{'failed':>9}  ({result['error'][:90]})")
            continue
        floor = floor or result["seconds"]
        show(tool, result, floor, copies)


def show(tool: str, result: dict, floor: float, copies: int) -> None:
    first, peak = result["first"], result["peak_kb"] / 1024
    if tool == "exlibris":
        extra = (result["seconds"] - first) / (copies - 1)
        print(
            f"{tool + ', first copy':<26}{first:>9.3f}{first / floor:>11.2f}{peak:>9.0f}"
            f"  {extra:.4f} s = {extra / floor:.4f}x rewrite"
            f" (T({copies}) {result['seconds']:.2f} s, peak over {copies} copies)"
        )
        return
    if tool == "cp":
        extra = (result["seconds"] - first) / (copies - 1)
        print(
            f"{tool:<26}{first:>9.3f}{first / floor:>11.2f}{peak:>9.0f}"
            f"  {extra:.4f} s = {extra / floor:.4f}x rewrite (copying the bytes: the limit)"
        )
        return
    notes = {"qpdf rewrite": "(no stamp: what ratios are against)"}
    note = notes.get(tool, f"{first:.3f} s (a full rewrite)")
    print(f"{tool:<26}{first:>9.3f}{first / floor:>11.2f}{peak:>9.0f}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--books", nargs="+", default=["refman", "source3", "comic", "sample"])
    parser.add_argument("--copies", type=int, default=21)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs=4, metavar=("TOOL", "IN", "OUT", "OVERLAY"))
    args = parser.parse_args()
    if args.child:
        tool, source, target, overlay = args.child
        print(json.dumps(child(tool, Path(source), Path(target), Path(overlay), args.copies)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in args.books:
            source = _book(name, folder)
            if source is None:
                print(f"\n{name}: skipped (apt-get install {books.INSTALLED[name][1]})")
                continue
            bench_book(name, source, folder, args.copies, args.repeat)
    return 0


def _book(name: str, folder: Path) -> Path | None:
    if name in books.INSTALLED:
        path = books.INSTALLED[name][0]
        return path if path.exists() else None
    if name == "comic":
        return books.comic_book()
    from demo.sample_book import make_sample_book

    path = folder / "sample-1000.pdf"
    path.write_bytes(make_sample_book(1000, images=True))
    return path


if __name__ == "__main__":
    if shutil.which("qpdf") is None:
        print("note: qpdf CLI missing (apt-get install qpdf): the floor and overlay are skipped")
    sys.exit(main())
