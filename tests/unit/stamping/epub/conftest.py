"""Fixtures for the EPUB engine: the test books (built once per session), epubcheck, Chromium.

epubcheck (Debian's `epubcheck`, a jar that /usr/bin/epubcheck links to) takes
seconds per book, mostly the JVM starting; the slow tests check every
original and its copy in one session fixture, two at a time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from stamping.epub.stamper import stamp_epub
from stamping.stamp import Stamp
from tests.unit.stamping.epub import books

# A buyer whose name is markup, mixes scripts and directions, and carries a bidi override;
# sold under an imprint whose name is markup too (its ex-libris line, in its colour).
STAMP = Stamp(
    name="Zoë <b>&amp; 王小明 محمد\u202e",
    email="zoe+books@example.com",
    order_id="txn_01epubtest",
    code="KQMV-2F9W-SZEY",
    verify_url="https://books.example.com/verify?code=KQMV-2F9W-SZEY",
    seller="Held Out <Press> & دار\u202e",
    accent="#7a1f5c",
)
NAMES = ("pandoc", "sphinx", "ebooklib", "fixed-layout", "epub2", "idpf-fonts", "rtl")


class Library:
    """The test books, each built on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._books: dict[str, bytes] = {}
        self._makers: dict[str, Callable[[], bytes]] = {
            "pandoc": lambda: books.pandoc_book(folder / "pandoc"),
            "sphinx": lambda: books.sphinx_book(folder / "sphinx"),
            "ebooklib": books.ebooklib_book,
            "fixed-layout": books.fixed_layout_book,
            "epub2": books.epub2_book,
            "idpf-fonts": lambda: books.font_book(books.small_font(), books.IDPF),
            "adobe-fonts": lambda: books.font_book(books.small_font(), books.ADOBE),
            "rtl": books.rtl_book,
        }

    def __getitem__(self, name: str) -> bytes:
        if name not in self._books:
            if name == "pandoc" and shutil.which("pandoc") is None:
                pytest.skip("pandoc is not installed (apt-get install pandoc)")
            self._books[name] = self._makers[name]()
        return self._books[name]


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return Library(tmp_path_factory.mktemp("books"))


@pytest.fixture(scope="session")
def stamped(library: Library) -> Callable[[str], bytes]:
    """The copy of a test book for STAMP, made once."""
    copies: dict[str, bytes] = {}

    def copy(name: str) -> bytes:
        if name not in copies:
            copies[name] = stamp_epub(library[name], STAMP)
        return copies[name]

    return copy


def epubcheck_command() -> list[str]:
    found = shutil.which("epubcheck")
    if found is None:
        pytest.skip("epubcheck is not installed (apt-get install epubcheck)")
    target = Path(found).resolve()
    # Debian installs the jar itself; without binfmt support it must go through java.
    fast = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]  # a short run: startup dominates
    return ["java", *fast, "-jar", str(target)] if target.suffix == ".jar" else [found]


def run_epubcheck(path: Path) -> list[dict[str, Any]]:
    """epubcheck's messages for one book (its --json report)."""
    report = path.with_suffix(".json")
    subprocess.run(
        [*epubcheck_command(), str(path), "--json", str(report)], capture_output=True, timeout=240
    )
    messages: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))["messages"]
    return messages


@pytest.fixture(scope="session")
def epubcheck_reports(
    library: Library, stamped: Callable[[str], bytes]
) -> Iterator[dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]]:
    """For every test book: epubcheck's messages on the original and on the copy."""
    epubcheck_command()
    with tempfile.TemporaryDirectory() as tmp:
        folder, paths = Path(tmp), {}
        for name in NAMES:
            (folder / f"{name}.epub").write_bytes(library[name])
            (folder / f"{name}-copy.epub").write_bytes(stamped(name))
            paths[name] = (folder / f"{name}.epub", folder / f"{name}-copy.epub")
        with ThreadPoolExecutor(max_workers=2) as pool:  # the machine's two cores
            runs = {name: (pool.submit(run_epubcheck, a), pool.submit(run_epubcheck, b))
                    for name, (a, b) in paths.items()}  # fmt: skip
            yield {name: (a.result(), b.result()) for name, (a, b) in runs.items()}
