"""`python -m worker stamp-batch`: a copy per CSV row, from one plan, refused rows named."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from common.codes import make_code
from demo.sample_epub import make_sample_epub
from stamping.epub.tracing import trace_epub
from stamping.pdf import stamp_pdf
from stamping.pdf.marks._reader import read_marks
from stamping.stamp import Stamp
from tests.conftest import ROOT
from tests.support import pdfs

# Each test runs whole processes: the slow tier, which `make test` runs and `make unit` skips.
pytestmark = pytest.mark.slow

SECRET = "batch-test-secret"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAMP_SECRET": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "worker", "stamp-batch", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdfs.book(6))
    return path


def test_each_row_gets_its_own_copy(book: Path, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "name,email,order,skip_pages\n"
        "Ada Lovelace,ada@example.com,txn-1,\n"
        "Zoë 王,zoe@example.com,txn-2,0\n"
        '"Smith, Jane",jane@example.com,txn-3,\n',
        encoding="utf-8",
    )
    out = tmp_path / "copies"
    done = run(str(book), str(out), "--orders", str(orders))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["txn-1.pdf", "txn-2.pdf", "txn-3.pdf"]
    for order in ("txn-1", "txn-2", "txn-3"):
        with pikepdf.open(out / f"{order}.pdf") as pdf:
            found = read_marks(pdf)
            assert found["docinfo"] == (order, make_code(SECRET, order))
    with pikepdf.open(out / "txn-2.pdf") as pdf:  # skip_pages 0: the cover is stamped too
        assert "/ExLibrisStamp" in pdf.pages[0].Resources.XObject
    with pikepdf.open(out / "txn-1.pdf") as pdf:
        assert "/XObject" not in pdf.pages[0].obj.get("/Resources", {})


def test_a_batch_copy_is_the_copy_stamp_makes(book: Path, tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("name,email,order\nAda,ada@example.com,txn-9\n")
    assert run(str(book), str(tmp_path / "out"), "--orders", str(orders)).returncode == 0
    alone = stamp_pdf(
        book.read_bytes(), Stamp("Ada", "ada@example.com", "txn-9", make_code(SECRET, "txn-9"))
    )
    assert (tmp_path / "out" / "txn-9.pdf").read_bytes() == alone


@pytest.mark.parametrize(
    ("csv", "reason"),
    [
        ("name,email\nAda,a@b.c\n", "header lacks order"),
        ("name,email,order\nAda,a@b.c,\n", "line 2: name, email and order are all required"),
        ("name,email,order\nAda,a@b.c,../etc\n", "not usable as a file name"),
        ("name,email,order\nAda,a@b.c,x1\nBob,b@b.c,X1\n", "line 3: order X1 appears twice"),
        ("name,email,order,skip_pages\nAda,a@b.c,x1,two\n", "skip_pages must be a whole number"),
    ],
    ids=["no-order-column", "blank-order", "path-in-order", "duplicate", "bad-skip"],
)
def test_a_bad_orders_file_is_refused_in_one_line_and_writes_nothing(
    book: Path, tmp_path: Path, csv: str, reason: str
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(csv)
    out = tmp_path / "out"
    done = run(str(book), str(out), "--orders", str(orders))
    assert done.returncode == 1
    assert reason in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_a_missing_book_is_one_clear_line(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("name,email,order\nAda,a@b.c,x1\n")
    done = run(str(tmp_path / "nope.pdf"), str(tmp_path / "out"), "--orders", str(orders))
    assert done.returncode == 1 and "nope.pdf" in done.stderr and "Traceback" not in done.stderr


def test_the_copies_open(tmp_path: Path, book: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text("name,email,order\n" + "".join(f"B{n},b{n}@x.y,o{n}\n" for n in range(5)))
    assert run(str(book), str(tmp_path / "out"), "--orders", str(orders)).returncode == 0
    for path in (tmp_path / "out").iterdir():
        with pikepdf.open(io.BytesIO(path.read_bytes())) as pdf:
            assert len(pdf.pages) == 6


def test_an_epub_gets_an_epub_per_row(tmp_path: Path) -> None:
    book = tmp_path / "book.epub"
    book.write_bytes(make_sample_epub())
    orders = tmp_path / "orders.csv"
    orders.write_text("name,email,order\nAda,ada@example.com,txn-1\nBob,bob@example.com,txn-2\n")
    done = run(str(book), str(tmp_path / "out"), "--orders", str(orders))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["txn-1.epub", "txn-2.epub"]
    for order in ("txn-1", "txn-2"):
        trace = trace_epub((tmp_path / "out" / f"{order}.epub").read_bytes())
        assert (trace.order_id, trace.code) == (order, make_code(SECRET, order))


def test_a_zip_that_is_no_book_is_refused_in_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as photos:
        photos.writestr("a.jpg", b"\xff\xd8")
    orders = tmp_path / "orders.csv"
    orders.write_text("name,email,order\nAda,a@b.c,x1\n")
    done = run(str(archive), str(tmp_path / "out"), "--orders", str(orders))
    assert done.returncode == 1 and "neither a PDF nor an EPUB" in done.stderr
    assert "Traceback" not in done.stderr
