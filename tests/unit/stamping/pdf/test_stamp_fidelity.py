"""Everything an author put in the book is still there after stamping.

The sample book carries each feature peers have been seen to drop; every test
compares the stamped copy with its original, feature by feature.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from stamping.pdf import stamp_pdf
from stamping.stamp import Stamp
from tests.support import pdfs

STAMP = Stamp(
    name="Ada Lovelace", email="ada@example.com", order_id="txn_01", code="KQMV-2F9W-SZEY"
)


@pytest.fixture(scope="module")
def pair() -> tuple[pikepdf.Pdf, pikepdf.Pdf]:
    original = pdfs.book(30, images=True)
    return pikepdf.open(io.BytesIO(original)), pikepdf.open(io.BytesIO(stamp_pdf(original, STAMP)))


def test_page_count(pair) -> None:
    before, after = pair
    assert len(after.pages) == len(before.pages) == 30


def test_outline(pair) -> None:
    def items(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            return [(i.title, index[i.destination[0].objgen]) for i in outline.root]

    before, after = pair
    assert items(after) == items(before)
    assert len(items(after)) > 3


def test_annotations_on_every_page(pair) -> None:
    def annots(pdf: pikepdf.Pdf) -> list[list[tuple[str, str]]]:
        return [
            [(str(a.Subtype), repr(a.get("/Rect"))) for a in page.obj.get("/Annots", ())]
            for page in pdf.pages
        ]

    before, after = pair
    assert annots(after) == annots(before)


def test_uri_and_internal_links(pair) -> None:
    def links(pdf: pikepdf.Pdf) -> list[str]:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        out = []
        for page in pdf.pages:
            for a in page.obj.get("/Annots", ()):
                if "/A" in a:
                    out.append(str(a.A.URI))
                elif isinstance(a.get("/Dest"), pikepdf.Array):
                    out.append(f"page {index[a.Dest[0].objgen]}")
                elif "/Dest" in a:
                    out.append(f"name {a.Dest}")
        return out

    before, after = pair
    kinds = {link.split()[0] for link in links(after)}
    assert links(after) == links(before)
    assert kinds == {"https://example.com/practical-python", "page", "name"}


def test_named_destinations(pair) -> None:
    def names(pdf: pikepdf.Pdf) -> dict[str, int]:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        return {k: index[v[0].objgen] for k, v in tree.items()}

    before, after = pair
    assert names(after) == names(before) == {"contents": 1}


def test_page_labels(pair) -> None:
    before, after = pair
    assert [p.label for p in after.pages] == [p.label for p in before.pages]
    assert after.pages[0].label == "i" and after.pages[2].label == "1"


def test_document_info_kept_and_marked(pair) -> None:
    before, after = pair
    for key, value in before.docinfo.items():
        assert after.docinfo[key] == value
    assert str(after.docinfo.ExLibrisOrder) == "txn_01"


def test_xmp_kept(pair) -> None:
    before, after = pair
    with before.open_metadata() as old, after.open_metadata() as new:
        assert new["dc:title"] == old["dc:title"] == "Practical Python Projects"
        assert new["xmp:CreatorTool"] == old["xmp:CreatorTool"]


def test_acroform_fields(pair) -> None:
    before, after = pair
    assert [str(f.T) for f in after.Root.AcroForm.Fields] == ["reader_notes"]
    assert len(after.Root.AcroForm.Fields) == len(before.Root.AcroForm.Fields)


def test_structure_tree_and_images(pair) -> None:
    before, after = pair
    assert after.Root.StructTreeRoot.K[0].S == "/Document"
    assert after.Root.MarkInfo.Marked

    def images(pdf: pikepdf.Pdf) -> int:
        xobjects = (p.Resources.get("/XObject", {}) for p in pdf.pages)
        return sum(x.get("/Subtype") == "/Image" for xo in xobjects for _, x in xo.items())

    assert images(after) == images(before) > 0


@pytest.mark.parametrize("tool", ["pdftotext", "pdftoppm"])
def test_poppler_reads_the_copy_without_complaint(tool: str, tmp_path: Path) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} missing: apt-get install poppler-utils")
    path = tmp_path / "copy.pdf"
    path.write_bytes(stamp_pdf(pdfs.book(6), STAMP))
    args = [tool, "-r", "20", "-png"] if tool == "pdftoppm" else [tool]
    done = subprocess.run([*args, str(path), str(tmp_path / "out")], capture_output=True)
    assert done.returncode == 0
    assert done.stderr == b""
