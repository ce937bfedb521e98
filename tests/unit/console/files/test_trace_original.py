"""`trace FILE --original BOOK.pdf`: a copy rasterised with its footer cropped away, as a
leaker cleans a scan before posting it, is still named, through the line-shift mark read
against the original; a wrong original or a code index without the buyer names nobody.

Slow tier: poppler draws a dozen pages per trace.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.adapters import build_storage
from common.codes import make_code, serial_for
from common.orders import code_name
from common.settings import Settings
from console.files import main
from stamping.formats import stamp_file
from stamping.stamp import Stamp
from tests.conftest import needs
from tests.support import attacks, pdfs

pytestmark = [pytest.mark.slow, needs("pdftoppm")]
SECRET = "console-trace-original-secret"
ORDERS = [f"ord-{n:02d}" for n in range(20)]
ALICE = Stamp("Alice", "alice@example.com", ORDERS[7], make_code(SECRET, ORDERS[7]))
PAGES = 6


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The original, Alice's copy rasterised at 150 dpi with its footer cropped (grey JPEG),
    and another book (the sample book: another layout; a book laid out line for line as the
    original, even in other words, would rightly name Alice, since her lines did move)."""
    folder = tmp_path_factory.mktemp("original")
    paths = {name: folder / f"{name}.pdf" for name in ("original", "copy", "cropped", "other")}
    paths["original"].write_bytes(pdfs.prose(PAGES))
    paths["copy"].write_bytes(stamp_file(pdfs.prose(PAGES), ALICE))
    attacks.rasterise_without_footer(paths["copy"], paths["cropped"])
    paths["other"].write_bytes(pdfs.book(PAGES + 2))
    return paths


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("STAMP_SECRET", SECRET)
    monkeypatch.setenv("LOCAL_DATA_DIR", str(tmp_path / "var"))
    return Settings.from_env()


def index(settings: Settings, orders: list[str]) -> None:
    """The shop's code index, as the worker writes it: codes/<serial> names the order."""
    storage = build_storage(settings)
    for order in orders:
        name = code_name(serial_for(SECRET, order))
        storage.write(settings.delivery_bucket, name, order.encode())


def trace(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["trace", "--no-ocr", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_cropped_scan_names_nobody_without_the_original(files, shop, capsys) -> None:
    index(shop, ORDERS)
    status, out, _ = trace(capsys, str(files["cropped"]))
    assert status == 1 and "authentic" not in out


def test_with_the_original_the_cropped_scan_names_the_buyer(files, shop, capsys) -> None:
    index(shop, ORDERS)
    status, out, err = trace(capsys, str(files["cropped"]), "--original", str(files["original"]))
    assert status == 0
    assert out.startswith(f"order {ALICE.order_id} (from the code index)  code {ALICE.code}")
    assert "authentic  marks lines" in out
    note = next(line for line in err.splitlines() if "line-shift mark" in line)
    assert f"{ALICE.code} matches" in note and "of the 20 candidate(s)" in note
    chance = float(note.rsplit("below ", 1)[1])
    assert chance < 1e-9


def test_json_lists_the_line_shift_mark(files, shop, capsys) -> None:
    index(shop, ORDERS)
    status, out, _ = trace(
        capsys, "--json", str(files["cropped"]), "--original", str(files["original"])
    )
    answer = json.loads(out)
    assert status == 0
    assert [(o["code"], o["owner"], o["marks"]) for o in answer["orders"]] == [
        (ALICE.code, ALICE.order_id, ["lines"])
    ]


def test_a_code_index_without_the_buyer_names_nobody(files, shop, capsys) -> None:
    index(shop, [o for o in ORDERS if o != ALICE.order_id])
    status, out, err = trace(capsys, str(files["cropped"]), "--original", str(files["original"]))
    assert status == 1 and "authentic" not in out
    assert "none of 19 candidate(s) matches" in err


def test_a_wrong_original_names_nobody(files, shop, capsys) -> None:
    index(shop, ORDERS)
    status, out, _ = trace(capsys, str(files["cropped"]), "--original", str(files["other"]))
    assert status == 1 and "authentic" not in out


def test_a_missing_original_is_exit_2_in_words(files, shop, tmp_path, capsys) -> None:
    status, _, err = trace(capsys, str(files["cropped"]), "--original", str(tmp_path / "nope.pdf"))
    assert status == 2 and "cannot read the original" in err and "nope.pdf" in err


def test_an_epub_original_is_refused_in_words(files, shop, tmp_path, capsys) -> None:
    epub = tmp_path / "book.epub"
    epub.write_bytes(b"PK\x03\x04not really")
    status, _, err = trace(capsys, str(files["cropped"]), "--original", str(epub))
    assert status == 2 and "compares the pages of two PDFs" in err
