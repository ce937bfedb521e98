"""The attack suite: a 60-page copy through what pirates do, with the real tools; trace still
names the buyer, and says which marks carried the order (issue 14, part 2).

Slow tier (seconds per attack). bench/attacks.py runs the same attacks on a
329-page copy and prints the table in the README.
"""

from __future__ import annotations

import subprocess
from functools import partial
from pathlib import Path

import pytest

from common.codes import make_code
from console.files._trace import authentic_with
from stamping.pdf import stamp_pdf
from stamping.pdf.trace import Trace, read_footers, trace_pdf
from stamping.stamp import Stamp
from tests.support import attacks, pdfs

pytestmark = pytest.mark.slow
SECRET = "attack-suite-secret"
PAGES = 60
ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_01hada", make_code(SECRET, "txn_01hada"))
BOB = Stamp("Bob Byte", "bob@example.com", "txn_01hbob", make_code(SECRET, "txn_01hbob"))
HIDDEN = {"docinfo", "xmp", "id", "pieceinfo", "content", "footer"}


authentic = authentic_with(SECRET)  # what `trace` checks codes with


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("copies")
    book = pdfs.book(PAGES, images=True)
    paths = {}
    for stamp in (ADA, BOB):
        paths[stamp.order_id] = folder / f"{stamp.order_id}.pdf"
        paths[stamp.order_id].write_bytes(stamp_pdf(book, stamp))
    return paths


def attacked(copies: dict[str, Path], attack: attacks.Attack, tmp_path: Path) -> Path:
    out = tmp_path / "attacked.pdf"
    attack(copies[ADA.order_id], out)
    return out


def trace_of(path: Path, ocr_pages: int = 8) -> Trace:
    return trace_pdf(path.read_bytes(), authentic, partial(read_footers, limit=ocr_pages))


def pdftotext(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


# attack -> the marks that must be among the survivors, and those that must be gone
EXPECTED = {
    "metadata stripped (exiftool, then qpdf)": ({"pieceinfo", "body", "text"}, {"docinfo", "xmp"}),
    "pages re-extracted (qpdf --empty --pages)": ({"pieceinfo", "body", "text"}, {"docinfo"}),
    "footer deleted (its Do)": ({"pieceinfo", "body"}, {"text"}),
    "footer deleted (its XObject)": ({"pieceinfo", "body"}, {"footer", "text"}),
    "mutool clean -gggg -s": ({"pieceinfo", "body", "text"}, set()),
    "pdftk cat": ({"pieceinfo", "body", "text"}, set()),
    "ghostscript re-distill": ({"body", "text"}, HIDDEN),
    "ghostscript, then footer deleted": ({"body"}, HIDDEN | {"text"}),
    "footer deleted, then ghostscript": ({"body"}, HIDDEN | {"text"}),
    "everything: metadata, footer, ghostscript, qpdf": ({"body"}, HIDDEN | {"text"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_buyer_survives(name: str, copies: dict[str, Path], tmp_path: Path) -> None:
    path = attacked(copies, attacks.ATTACKS[name], tmp_path)
    [finding] = trace_of(path).findings
    assert (finding.order_id, finding.code, finding.authentic) == (ADA.order_id, ADA.code, True)
    assert finding.pages == tuple(range(2, PAGES + 1))  # every stamped page names the buyer
    must, gone = EXPECTED[name]
    assert must <= set(finding.marks) and not gone & set(finding.marks), finding.marks


@pytest.mark.parametrize(
    "name", ["ghostscript, then footer deleted", "everything: metadata, footer, ghostscript, qpdf"]
)
def test_the_footer_deletions_really_delete_it(name: str, copies, tmp_path: Path) -> None:
    """The attacks are honest: no reader shows the footer afterwards."""
    text = pdftotext(attacked(copies, attacks.ATTACKS[name], tmp_path))
    assert "Prepared exclusively" not in text and "ada@example.com" not in text


def test_a_rasterised_copy_is_read_by_ocr(copies: dict[str, Path], tmp_path: Path) -> None:
    path = attacked(copies, attacks.rasterise, tmp_path)
    assert pdftotext(path).strip() == ""  # sanity: no text layer is left
    trace = trace_of(path, ocr_pages=8)
    [finding] = trace.findings
    assert (finding.code, finding.authentic, finding.marks) == (ADA.code, True, ("ocr",))
    assert len(finding.pages) >= 6  # of 8 sampled pages, the cover carries no footer
    assert any("OCR read 8" in note for note in trace.notes)


def test_ocr_reads_the_code_after_an_order_id_ending_in_a_group_of_eight(tmp_path: Path) -> None:
    """tesseract reads "Order TRACE-48151623 - 926H-…": the order's digits and the code's
    first group make a reading of their own, which must not hide the code's."""
    order = "TRACE-48151623"
    stamp = Stamp("Ada Lovelace", "ada@example.com", order, make_code(SECRET, order))
    copy, raster = tmp_path / "copy.pdf", tmp_path / "raster.pdf"
    copy.write_bytes(stamp_pdf(pdfs.book(3), stamp))
    attacks.rasterise(copy, raster)
    [finding] = trace_of(raster, ocr_pages=2).findings
    assert (finding.code, finding.authentic, finding.marks) == (stamp.code, True, ("ocr",))


def test_two_buyers_merged_page_by_page_are_both_named(copies, tmp_path: Path) -> None:
    merged = tmp_path / "merged.pdf"
    attacks.merge_page_by_page(copies[ADA.order_id], copies[BOB.order_id], merged)
    findings = {f.order_id: f for f in trace_of(merged).findings}
    assert set(findings) == {ADA.order_id, BOB.order_id}
    assert findings[ADA.order_id].pages == tuple(range(3, PAGES + 1, 2))
    assert findings[BOB.order_id].pages == tuple(range(2, PAGES + 1, 2))
    assert all(f.authentic for f in findings.values())


def test_merged_then_redistilled_still_names_both(copies, tmp_path: Path) -> None:
    merged, distilled = tmp_path / "merged.pdf", tmp_path / "distilled.pdf"
    attacks.merge_page_by_page(copies[ADA.order_id], copies[BOB.order_id], merged)
    attacks.then(attacks.ghostscript, attacks.delete_footer_text)(merged, distilled)
    findings = {f.order_id: f.marks for f in trace_of(distilled).findings}
    assert findings == {ADA.order_id: ("body",), BOB.order_id: ("body",)}


def test_the_moonshot_names_nobody_rather_than_the_wrong_buyer(copies, tmp_path) -> None:
    """Rasterised with the footer cropped away: nothing is left to read, and nothing is made up."""
    path = attacked(copies, attacks.rasterise_without_footer, tmp_path)
    trace = trace_of(path, ocr_pages=4)
    assert not trace.found_authentic and trace.findings == ()
