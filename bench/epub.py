"""EPUB stamping benchmark: exlibris against unzip-and-rezip and against copying the file.

    .venv/bin/python -m bench.epub [--mb 10] [--repeat 15]

Builds a book of about --mb MB with demo/sample_epub.py (ebooklib): 30
chapters of some 4,000 words each, as a long novel has, and photo-like
JPEGs for the rest of the weight, as an illustrated book has. Each contender
reads the file and writes its output file, as the worker reads an original
and stores a copy:

- copy: read the bytes, write them (the limit: no stamper can do less);
- rezip: unzip every entry and zip it again (mimetype stored, the rest
  deflated), which is what a stamper that unpacks the book pays at least;
- exlibris, first copy: the book's first buyer (its documents split and
  their static parts deflated, segments.py);
- exlibris, next copies: every later buyer of the same book, the steady
  state of a long-lived worker.

A last line gives the same in memory (bytes in, bytes out, no files): a
further copy against copying the bytes once, which is all the output costs.

Time is the best of --repeat runs, the contenders taking turns so that load
from other processes on the machine falls on all of them alike. The files
live on tmpfs (/dev/shm) where there is one: the virtual disk's write-back
would otherwise swamp the few milliseconds being compared.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from demo.sample_epub import make_sample_epub
from stamping.epub import segments
from stamping.epub.stamper import stamp_epub, write_epub
from stamping.epub.tracing import trace_epub
from stamping.stamp import Stamp

STAMP = Stamp(
    "Ada Lovelace",
    "ada@example.com",
    "txn_01hbench",
    "KQMV-2F9W-SZEY",
    "https://books.example.com/verify?code=KQMV-2F9W-SZEY",
)
CHAPTERS, PARAGRAPHS = 30, 45  # 90 words a paragraph: about 120,000 words in all
IMAGE = (800, 600)  # one photo-like JPEG: about 150 KB


def build(megabytes: float) -> bytes:
    """A book of about `megabytes` MB: the text, then as many images as the weight needs."""
    text_only = make_sample_epub(CHAPTERS, paragraphs=PARAGRAPHS)
    one = len(make_sample_epub(1, paragraphs=1, images=1, image_size=IMAGE)) - len(
        make_sample_epub(1, paragraphs=1)
    )
    images = max(0, round((megabytes * 1e6 - len(text_only)) / one))
    return make_sample_epub(CHAPTERS, paragraphs=PARAGRAPHS, images=images, image_size=IMAGE)


def copy(source: Path, target: Path) -> None:
    target.write_bytes(source.read_bytes())


def rezip(source: Path, target: Path) -> None:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source.read_bytes())) as book,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in book.infolist():
            method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            copy.writestr(info.filename, book.read(info), compress_type=method)
    target.write_bytes(out.getvalue())


def exlibris_first(source: Path, target: Path) -> None:
    segments.CACHE.clear()
    exlibris_next(source, target)


def exlibris_next(source: Path, target: Path) -> None:
    # As the worker writes a copy: straight into its output, no joined copy of the book.
    with target.open("wb") as out:
        write_epub(source.read_bytes(), STAMP, out)


CONTENDERS: dict[str, Callable[[Path, Path], None]] = {
    "copy": copy,
    "rezip": rezip,
    "exlibris, first copy": exlibris_first,
    "exlibris, next copies": exlibris_next,
}


def measure(source: Path, folder: Path, repeat: int) -> dict[str, float]:
    best = dict.fromkeys(CONTENDERS, float("inf"))
    for _ in range(repeat):
        for name, run in CONTENDERS.items():
            target = folder / f"{name.split(',')[0]}.epub"
            started = time.perf_counter()
            run(source, target)
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def in_memory(data: bytes, repeat: int) -> tuple[float, float]:
    """Best times of a further copy and of copying the bytes, without files."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for n, run in enumerate((lambda: stamp_epub(data, STAMP), lambda: bytes(memoryview(data)))):
            started = time.perf_counter()
            run()
            best[n] = min(best[n], time.perf_counter() - started)
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the book (MB)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        folder = Path(tmp)
        source = folder / "book.epub"
        source.write_bytes(build(args.mb))
        exlibris_next(source, folder / "warm-up.epub")  # imports and first-call costs
        best = measure(source, folder, args.repeat)
        stamped = (folder / "exlibris.epub").read_bytes()
        traced = trace_epub(stamped)
        with zipfile.ZipFile(source) as book:
            text = sum(i.file_size for i in book.infolist() if i.filename.endswith(".xhtml"))
            entries = len(book.infolist())
        print(
            f"book: {source.stat().st_size / 1e6:.1f} MB, {entries} entries, "
            f"{text / 1e6:.2f} MB of XHTML; copy {len(stamped) / 1e6:.1f} MB, "
            f"traces to {traced.order_id}"
        )
        print(f"{'contender':<24}{'ms':>8}{'x copy':>9}{'x rezip':>9}")
        for name, seconds in best.items():
            print(
                f"{name:<24}{seconds * 1000:>8.1f}{seconds / best['copy']:>9.2f}"
                f"{seconds / best['rezip']:>9.2f}"
            )
        stamp, copied = in_memory(source.read_bytes(), args.repeat)
        print(
            f"in memory: a further copy {stamp * 1000:.1f} ms, copying the bytes "
            f"{copied * 1000:.1f} ms ({stamp / copied:.2f}x)"
        )


if __name__ == "__main__":
    main()
