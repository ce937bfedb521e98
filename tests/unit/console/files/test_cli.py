"""`python -m worker`: stamp, trace and check, run as an author would run them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from common.codes import make_code
from tests.conftest import ROOT
from tests.support import pdfs

# Each test runs whole processes: the slow tier, which `make test` runs and `make unit` skips.
pytestmark = pytest.mark.slow

SECRET = "cli-test-secret"


def run(
    *args: str, secret: str = SECRET, catalog: Path | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAMP_SECRET": secret, "PYTHONPATH": str(ROOT)}
    if catalog is not None:
        env["CATALOG"] = str(catalog)
    return subprocess.run(
        [sys.executable, "-m", "worker", *args], capture_output=True, text=True, env=env, cwd=cwd
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdfs.book(6))
    return path


def test_stamp_then_trace(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    done = run("stamp", str(book), str(out), "--name", "Ada", "--email", "a@x.y", "--order", "o7")
    assert done.returncode == 0, done.stderr
    code = make_code(SECRET, "o7")
    assert code in done.stdout
    traced = run("trace", str(out))
    assert traced.returncode == 0
    assert traced.stdout.startswith(f"order o7  code {code}  authentic  marks docinfo,xmp,")
    assert traced.stdout.rstrip().endswith("pages 2-6")


def test_trace_json_says_the_same(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    run("stamp", str(book), str(out), "--name", "Ada", "--email", "a@x.y", "--order", "o7")
    traced = run("trace", "--json", str(out))
    assert traced.returncode == 0
    [order] = json.loads(traced.stdout)["orders"]
    assert order["order_id"] == "o7" and order["code"] == make_code(SECRET, "o7")
    assert order["authentic"] is True and order["pages"] == "2-6"
    assert "body" in order["marks"] and "text" in order["marks"]


def test_trace_with_another_shops_secret_finds_a_forgery(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    run("stamp", str(book), str(out), "--name", "Ada", "--email", "a@x.y", "--order", "o7")
    traced = run("trace", str(out), secret="another-shop")
    assert traced.returncode == 1
    assert "FORGED" in traced.stdout


def test_trace_of_an_unreadable_file_is_exit_2_in_words(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\0" * 100)
    done = run("trace", str(junk))
    assert done.returncode == 2
    assert "junk.pdf" in done.stderr and "Traceback" not in done.stderr
    assert "<_io." not in done.stderr


def test_skip_pages_zero_stamps_the_cover(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.pdf"
    args = ("--name", "Ada", "--email", "a@x.y", "--order", "o7", "--skip-pages", "0")
    assert run("stamp", str(book), str(out), *args).returncode == 0
    assert "Ada" in subprocess_text(out, page=1)


def test_trace_of_an_unstamped_file_says_so(book: Path) -> None:
    done = run("trace", str(book))
    assert done.returncode == 1
    assert "no exlibris marks" in done.stdout


def test_stamp_of_a_locked_file_fails_with_the_reason(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(pdfs.encrypted(owner="o", user="u"))
    done = run(
        "stamp",
        str(locked),
        str(tmp_path / "x.pdf"),
        "--name",
        "A",
        "--email",
        "a@x.y",
        "--order",
        "1",
    )
    assert done.returncode == 1
    assert "password" in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    done = run("trace", str(tmp_path / "nope.pdf"))
    assert done.returncode == 2  # trace: unreadable
    assert "nope.pdf" in done.stderr and "Traceback" not in done.stderr


def test_negative_skip_pages_is_a_usage_error(book: Path, tmp_path: Path) -> None:
    args = ("--name", "A", "--email", "a@x.y", "--order", "1", "--skip-pages", "-1")
    assert run("stamp", str(book), str(tmp_path / "x.pdf"), *args).returncode == 2


def test_check_writes_previews(book: Path, tmp_path: Path) -> None:
    done = run("check", str(book), "--out", str(tmp_path / "pre"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict:       stamps cleanly" in done.stdout
    assert (tmp_path / "pre" / "book.preview.pdf").exists()


def test_check_writes_its_previews_beside_the_book_not_into_the_current_folder(
    book: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run("check", str(book), cwd=elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wrote {book.parent / 'book.preview.pdf'}" in done.stdout
    assert (book.parent / "book.preview.pdf").exists()
    assert list(elsewhere.iterdir()) == []


def test_a_one_page_book_is_stamped_on_its_page_and_both_commands_say_so(tmp_path: Path) -> None:
    one = tmp_path / "one.pdf"
    one.write_bytes(pdfs.hand_written(1))
    out = tmp_path / "copy.pdf"
    done = run("stamp", str(one), str(out), "--name", "Ada", "--email", "a@x.y", "--order", "o7")
    assert done.returncode == 0 and "note: skipping 1 page(s)" in done.stdout
    assert "Ada" in subprocess_text(out, page=1)
    checked = run("check", str(one), "--out", str(tmp_path / "pre"))
    assert checked.returncode == 0 and "the last page is stamped" in checked.stdout
    quiet = run("check", str(one), "--skip-pages", "0", "--out", str(tmp_path / "pre"))
    assert quiet.returncode == 0 and "note:" not in quiet.stdout


def test_check_takes_the_catalogs_options(book: Path, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[products.p]\npaddle_ids = ["pro_1"]\ntitle = "P"\n'
        'files = [{ source = "novel.pdf", stamp = true, skip_pages = 2 }]\n'
    )
    args = ("check", str(book), "--catalog", "--source", "novel.pdf", "--out", str(tmp_path))
    done = run(*args, catalog=catalog)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "book.page3.png").exists()  # the first page the catalog's style stamps
    missing = run("check", str(book), "--catalog", catalog=catalog)
    assert missing.returncode == 2 and "no file with source 'book.pdf'" in missing.stderr


def test_check_refuses_a_catalog_whose_imprint_sends_from_an_unauthenticated_domain(
    book: Path, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[products.p]\npaddle_ids = ["pro_1"]\ntitle = "P"\nimprint = "pen"\n'
        'files = [{ source = "book.pdf", stamp = true }]\n'
        '[imprints.pen]\nshop_name = "Pen"\nmail_from = "pen@pen.example"\n'
    )
    done = run("check", str(book), "--catalog", "--out", str(tmp_path), catalog=catalog)
    assert done.returncode == 2
    assert "imprints.pen.mail_from: pen.example is not a sender domain" in done.stderr


def subprocess_text(path: Path, page: int) -> str:
    return pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages[page - 1].extract_text()
