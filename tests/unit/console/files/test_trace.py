"""`trace FILE`, run in this process as an author runs it: what it says about hostile copies.

A leaked copy is the leaker's: its order id may be rewritten to pin it on
someone else, or carry bytes meant for the author's terminal, or be locked
with a password. The command names an order only when the code belongs to
it, prints nothing a terminal acts on, and answers exit 2 in words for what
it cannot read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.adapters import build_storage
from common.codes import check_code, make_code
from common.orders import code_name
from common.settings import Settings
from console.files import main
from stamping.formats import stamp_file
from stamping.stamp import Stamp
from tests.support import pdfs

SECRET = "console-trace-secret"
ALICE = Stamp("Alice", "alice@example.com", "ord-ALICE", make_code(SECRET, "ord-ALICE"))


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment `trace` reads: this shop's secret, and a data folder of its own."""
    monkeypatch.setenv("STAMP_SECRET", SECRET)
    monkeypatch.setenv("LOCAL_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.fixture(scope="module")
def copy() -> bytes:
    return stamp_file(pdfs.book(4), ALICE)


def trace(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["trace", "--no-ocr", *args, str(path)])
    out, err = capsys.readouterr()
    return status, out, err


def controls(text: str) -> list[str]:
    return [ch for ch in text if not ch.isprintable() and ch != "\n"]


def test_a_copy_framed_on_another_order_is_forged(shop: Path, copy: bytes, capsys) -> None:
    framed = shop / "framed.pdf"
    framed.write_bytes(pdfs.order_rewritten(copy, "ord-ALICE", "ord-BOB"))
    status, out, _ = trace(framed, capsys)
    assert status == 1
    assert "authentic" not in out
    assert out.startswith(f"order ord-BOB  code {ALICE.code}  FORGED")
    assert "the code was not issued for this order" in out


def test_the_code_index_names_the_order_the_code_was_issued_for(
    shop: Path, copy: bytes, capsys
) -> None:
    settings = Settings.from_env()
    storage = build_storage(settings)  # the embedded shop's folder, as the worker writes it
    serial = check_code(SECRET, ALICE.code)
    storage.write(settings.delivery_bucket, code_name(serial), b"ord-ALICE", if_generation_match=0)
    framed = shop / "framed.pdf"
    framed.write_bytes(pdfs.order_rewritten(copy, "ord-ALICE", "ord-BOB"))
    status, out, _ = trace(framed, capsys)
    assert status == 1
    assert "FORGED" in out and "(the code belongs to order ord-ALICE)" in out
    status, out, _ = trace(framed, capsys, "--json")
    [order] = json.loads(out)["orders"]
    assert (order["order_id"], order["owner"], order["authentic"]) == (
        "ord-BOB",
        "ord-ALICE",
        False,
    )


def test_an_untouched_copy_is_still_authentic(shop: Path, copy: bytes, capsys) -> None:
    path = shop / "copy.pdf"
    path.write_bytes(copy)
    status, out, _ = trace(path, capsys)
    assert status == 0 and out.startswith(f"order ord-ALICE  code {ALICE.code}  authentic")


HOSTILE = "ord-ALICE\x1b[2J\x1b]0;owned\x07\r\nord-EVE\x9b31m\u202eECILA" + "x" * 5000


def hostile_copy(copy: bytes) -> bytes:
    """ESC, BEL, CR, LF, CSI and a bidi override set into every order id mark."""
    return pdfs.order_rewritten(copy, "ord-ALICE", HOSTILE)


def test_no_control_character_from_the_file_reaches_the_terminal(
    shop: Path, copy: bytes, capsys
) -> None:
    path = shop / "copy\x1b[31m.pdf"  # a leaked file's name is the leaker's too
    path.write_bytes(hostile_copy(copy))
    status, out, err = trace(path, capsys)
    assert status == 1  # and a rewritten order id is a forgery
    assert controls(out) == [] and controls(err) == []
    assert "'ord-ALICE\\x1b[2J\\x1b]0;owned\\x07\\r\\nord-EVE\\x9b31m\\u202eECILA" in out
    assert max(len(line) for line in out.splitlines()) < 600  # cut, not 5000 x's


def test_json_escapes_and_cuts_what_the_file_says(shop: Path, copy: bytes, capsys) -> None:
    path = shop / "copy.pdf"
    path.write_bytes(hostile_copy(copy))
    status, out, _ = trace(path, capsys, "--json")
    assert status == 1 and controls(out) == [] and out.isascii()
    orders = json.loads(out)["orders"]
    assert HOSTILE[:128] in {o["order_id"] for o in orders}  # the XMP's, as XML reads it, too
    assert all(len(o["order_id"]) <= 128 and o["authentic"] is False for o in orders)


def test_a_pdf_with_an_open_password_is_exit_2_in_words(shop: Path, capsys) -> None:
    path = shop / "locked.pdf"
    path.write_bytes(pdfs.encrypted(owner="o", user="u"))
    status, out, err = trace(path, capsys)
    assert status == 2 and out == ""
    assert "needs a password" in err and "Traceback" not in err
