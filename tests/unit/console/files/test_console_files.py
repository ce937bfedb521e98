"""`exlibris stamp|stamp-batch|trace|check`: the author's file commands under the console's name.

They are `python -m worker …`'s own (console/files/): each scenario runs both
ways, as whole processes on real files in folders of their own, and must give
the same exit status and the same output. Only a usage mistake reads
differently: one `exlibris: …` line, like every other console command.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from common.codes import make_code
from console.__main__ import run
from console.files import FILE_COMMANDS, parser
from stamping.formats import stamp_file
from stamping.stamp import Stamp
from tests.conftest import ROOT
from tests.support import pdfs
from tests.unit.stamping.epub import books

SECRET = "console-files-secret"
BUYER = ("--name", "Ada", "--email", "ada@example.com", "--order", "o7")

# scenario -> (argv, with {d} for the scenario's folder; the exit status both must give)
SCENARIOS: dict[str, tuple[tuple[str, ...], int]] = {
    "stamp a PDF": (("stamp", "{d}/book.pdf", "{d}/copy.pdf", *BUYER), 0),
    "stamp an EPUB": (("stamp", "{d}/novel.epub", "{d}/copy.epub", *BUYER), 0),
    "stamp an empty zip": (("stamp", "{d}/empty.epub", "{d}/copy.epub", *BUYER), 1),
    "stamp a missing file": (("stamp", "{d}/nope.pdf", "{d}/copy.pdf", *BUYER), 1),
    "stamp, negative skip": (
        ("stamp", "{d}/book.pdf", "{d}/c.pdf", *BUYER, "--skip-pages", "-1"),
        2,
    ),
    "stamp without a name": (("stamp", "{d}/book.pdf", "{d}/c.pdf", "--email", "a@x.y"), 2),
    "stamp-batch": (("stamp-batch", "{d}/book.pdf", "{d}/copies", "--orders", "{d}/orders.csv"), 0),
    "stamp-batch, an order twice": (
        ("stamp-batch", "{d}/book.pdf", "{d}/copies", "--orders", "{d}/twice.csv"),
        1,
    ),
    "trace a copy": (("trace", "{d}/stamped.pdf"), 0),
    "trace --json": (("trace", "--json", "--no-ocr", "{d}/stamped.pdf"), 0),
    "trace an EPUB copy": (("trace", "{d}/stamped.epub"), 0),
    "trace an unstamped book": (("trace", "{d}/book.pdf"), 1),
    "trace an empty zip": (("trace", "{d}/empty.epub"), 2),
    "check a book": (("check", "{d}/book.pdf"), 0),
    "check an empty zip": (("check", "{d}/empty.epub"), 1),
    "no command": ((), 2),
}
USAGE_MISTAKES = {"stamp, negative skip", "stamp without a name", "no command"}


def shelf(folder: Path) -> Path:
    """The files every scenario may use, in a folder of its own."""
    folder.mkdir()
    pdf, epub = pdfs.book(4), books.ebooklib_book()
    (folder / "book.pdf").write_bytes(pdf)
    (folder / "novel.epub").write_bytes(epub)
    zipfile.ZipFile(folder / "empty.epub", "w").close()
    stamp = Stamp("Ada", "ada@example.com", "o7", make_code(SECRET, "o7"))
    (folder / "stamped.pdf").write_bytes(stamp_file(pdf, stamp))
    (folder / "stamped.epub").write_bytes(stamp_file(epub, stamp))
    (folder / "orders.csv").write_text("name,email,order\nAda,ada@example.com,o1\nBo,b@x.y,o2\n")
    (folder / "twice.csv").write_text("name,email,order\nAda,ada@example.com,o1\nBo,b@x.y,o1\n")
    return folder


def run_as(program: str, folder: Path, argv: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAMP_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    args = [a.replace("{d}", str(folder)) for a in argv]
    return subprocess.run(
        [sys.executable, "-m", program, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_exlibris_runs_the_file_commands_as_python_m_worker_does(
    scenario: str, tmp_path: Path
) -> None:
    argv, status = SCENARIOS[scenario]
    worker = run_as("worker", shelf(tmp_path / "worker"), argv)
    console = run_as("console", shelf(tmp_path / "console"), argv)
    assert (worker.returncode, console.returncode) == (status, status), worker.stderr
    assert worker.stdout.replace(str(tmp_path / "worker"), "{d}") == console.stdout.replace(
        str(tmp_path / "console"), "{d}"
    )
    if scenario in USAGE_MISTAKES:
        assert "usage: python -m worker" in worker.stderr
        assert len(console.stderr.splitlines()) == 1 and console.stderr.startswith("exlibris: ")
    else:
        assert worker.stderr.replace(str(tmp_path / "worker"), "{d}") == console.stderr.replace(
            str(tmp_path / "console"), "{d}"
        )
    written = sorted(p.name for p in (tmp_path / "console").rglob("*"))
    assert written == sorted(p.name for p in (tmp_path / "worker").rglob("*"))


def test_the_console_parser_offers_exactly_the_file_commands() -> None:
    [commands] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert tuple(commands.choices) == FILE_COMMANDS


def test_stamp_trace_and_check_through_the_console_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, as `exlibris` calls it: the file commands need no storage and no settings."""
    monkeypatch.setenv("STAMP_SECRET", SECRET)
    book, copy = tmp_path / "book.pdf", tmp_path / "copy.pdf"
    book.write_bytes(pdfs.book(3))
    assert run(["stamp", str(book), str(copy), *BUYER]) == 0
    assert f"code {make_code(SECRET, 'o7')}" in capsys.readouterr().out
    assert run(["trace", "--json", str(copy)]) == 0
    [order] = json.loads(capsys.readouterr().out)["orders"]
    assert (order["order_id"], order["authentic"]) == ("o7", True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert run(["check", str(book)]) == 0
    assert (tmp_path / "book.preview.pdf").exists() and list(elsewhere.iterdir()) == []


def test_a_usage_mistake_in_a_file_command_is_one_console_line() -> None:
    err = io.StringIO()
    assert run(["trace"], stderr=err) == 2
    assert err.getvalue().startswith("exlibris: the following arguments are required: file")
