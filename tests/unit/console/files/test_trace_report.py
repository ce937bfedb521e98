"""`trace FILE --report OUT.pdf`, run as an author runs it: the evidence report for a PDF
copy, an EPUB copy, a framed copy and an unmarked file, and none for a file it cannot read.

The shop is the embedded one (a folder), holding the order's record and its code index as
the worker writes them; the report is read back with qpdf and pdftotext.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pikepdf
import pytest

from common.adapters import build_storage
from common.codes import check_code, make_code
from common.orders import OrderRecord, Status, code_name, save_record
from common.settings import Settings
from console.files import main
from stamping.formats import stamp_file
from stamping.stamp import Stamp
from tests.conftest import needs
from tests.support import pdfs

SECRET = "console-report-secret"
ALICE = Stamp("Alice Liddell", "alice@example.com", "ord-ALICE", make_code(SECRET, "ord-ALICE"))

pytestmark = [needs("pdftotext"), needs("pdftoppm"), needs("qpdf")]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment `trace` reads: this shop's secret, and a data folder of its own."""
    monkeypatch.setenv("STAMP_SECRET", SECRET)
    monkeypatch.setenv("LOCAL_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.fixture
def shop(folder: Path) -> Path:
    """An embedded shop that sold ord-ALICE: its record and its code index entry."""
    settings = Settings.from_env()
    storage = build_storage(settings)
    record = OrderRecord(
        order_id="ord-ALICE",
        status=Status.MAILED,
        title="Moby-Dick",
        buyer_name=ALICE.name,
        buyer_email=ALICE.email,
        code=ALICE.code,
        created_at="2026-11-02T09:15:00+00:00",
        merchant="stripe",
    )
    save_record(storage, settings.delivery_bucket, record, 0)
    serial = check_code(SECRET, ALICE.code)
    storage.write(settings.delivery_bucket, code_name(serial), b"ord-ALICE", if_generation_match=0)
    return folder


@pytest.fixture(scope="module")
def copy() -> bytes:
    return stamp_file(pdfs.book(4), ALICE)


def run(folder: Path, name: str, data: bytes, *args: str) -> tuple[int, Path, str]:
    path = folder / name
    path.write_bytes(data)
    out = folder / "report.pdf"
    status = main(["trace", "--no-ocr", *args, str(path), "--report", str(out)])
    return status, out, text_of(out) if out.exists() else ""


def text_of(report: Path) -> str:
    subprocess.run(["qpdf", "--check", str(report)], check=True, capture_output=True)
    done = subprocess.run(
        ["pdftotext", "-layout", str(report), "-"], check=True, capture_output=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_pdf_copy_s_report_names_the_order_and_shows_the_stamped_pages(
    shop: Path, copy: bytes
) -> None:
    status, report, text = run(shop, "leak.pdf", copy)
    assert status == 0
    assert sha256(copy) in text and "File name leak.pdf" in text
    assert f"Order named ord-ALICE Code {ALICE.code} Verdict AUTHENTIC" in text
    assert "Ordered 2026-11-02 (order ord-ALICE) Merchant stripe Book Moby-Dick" in text
    assert "Order store consulted" in text
    assert "pieceinfo pages 2-4" in text and "(vi) Accuracy, under penalty of perjury" in text
    assert ALICE.name not in text and ALICE.email not in text  # the report goes to a platform
    with pikepdf.open(report) as pdf:  # pdftoppm drew them: poppler is a test package
        pictures = [name for page in pdf.pages for name in page.get_images()]
    assert len(pictures) == 3 and "Pages 2-4 carry it. Pictures of 3 of them follow." in text
    assert "page 2, and its foot enlarged" in text and "page 4, and its foot enlarged" in text
    assert not list(shop.glob(".*.part"))


def test_an_epub_copy_s_report_names_the_documents_carrying_each_mark(
    shop: Path, sample_epub: bytes
) -> None:
    status, _, text = run(shop, "leak.epub", stamp_file(sample_epub, ALICE))
    assert status == 0
    assert f"Order named ord-ALICE Code {ALICE.code} Verdict AUTHENTIC" in text
    assert "opf first read in 'EPUB/content.opf'" in text
    assert "exlibris-page first read in 'EPUB/exlibris.xhtml'" in text
    assert "Format EPUB" in text and "An EPUB has no fixed pages" in text
    assert "Merchant stripe" in text


def test_a_framed_copy_s_report_says_forged_and_names_the_real_order(shop: Path, copy: bytes):
    framed = pdfs.order_rewritten(copy, "ord-ALICE", "ord-BOB")
    status, _, text = run(shop, "framed.pdf", framed)
    assert status == 1
    assert "Order named ord-BOB" in text and "FORGED: the code was not issued" in text
    assert "Code belongs to order ord-ALICE (the shop's code index)" in text
    assert "Ordered 2026-11-02 (order ord-ALICE) Merchant stripe" in text  # the real order's
    assert "AUTHENTIC" not in text


def test_without_a_shop_the_report_says_the_store_was_not_consulted(
    folder: Path, sample_epub: bytes
) -> None:
    status, _, text = run(folder, "leak.epub", stamp_file(sample_epub, ALICE))
    assert status == 0 and "Order named ord-ALICE" in text
    assert "Order store not consulted: no shop's store on this machine" in text
    assert "Ordered not known: the shop's order store was not consulted" in text
    assert not (folder / "var" / "storage").exists()  # and made none


def test_an_unmarked_file_s_report_records_its_hash_and_what_was_searched(folder: Path):
    plain = pdfs.book(3)
    status, _, text = run(folder, "book.pdf", plain)
    assert status == 1
    assert sha256(plain) in text and "No order is named" in text
    assert "What was searched Every PDF mark exlibris stamps into a copy (3 pages read)" in text


@pytest.mark.parametrize(
    "data",
    [pdfs.encrypted(owner="o", user="u"), b"%PDF-1.7\n garbage", b"not a book at all"],
    ids=["password", "broken", "neither"],
)
def test_a_file_it_cannot_read_gets_exit_2_and_no_report(folder: Path, data: bytes, capsys):
    status, report, _ = run(folder, "bad.pdf", data)
    assert status == 2 and not report.exists()
    assert not list(folder.glob(".*.part"))
    assert "Traceback" not in capsys.readouterr().err


def test_json_stays_one_json_object_beside_a_report(shop: Path, sample_epub: bytes, capsys) -> None:
    status, report, _ = run(shop, "leak.epub", stamp_file(sample_epub, ALICE), "--json")
    out, err = capsys.readouterr()
    assert status == 0 and report.exists()
    assert json.loads(out)["orders"][0]["order_id"] == "ord-ALICE"
    assert "evidence report written" in err
