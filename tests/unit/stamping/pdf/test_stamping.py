"""stamp_pdf: a footer on every page after skip_pages, and nothing of the book lost."""

from __future__ import annotations

import io
import subprocess
import unicodedata

import pikepdf
import pypdf
import pytest

from stamping.pdf import stamp_pdf
from stamping.pdf.footer import missing_glyphs
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle
from tests.support import pdfs

STAMP = Stamp(
    name="Ada Lovelace", email="ada@example.com", order_id="txn_01", code="KQMV-2F9W-SZEY"
)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_footer_on_every_page_after_skip_pages() -> None:
    out = stamp_pdf(pdfs.book(12), STAMP, StampStyle(skip_pages=2))
    texts = page_texts(out)
    assert len(texts) == 12
    assert not any("Ada Lovelace" in t for t in texts[:2])
    line = "Prepared exclusively for Ada Lovelace (ada@example.com) · Order txn_01 · KQMV-2F9W-SZEY"
    assert all(line in t for t in texts[2:])


def test_skip_pages_zero_stamps_the_cover() -> None:
    out = stamp_pdf(pdfs.book(4), STAMP, StampStyle(skip_pages=0))
    assert "Ada Lovelace" in page_texts(out)[0]


def test_template_from_the_catalog_is_used() -> None:
    style = StampStyle(template="Licensed to {name} <{email}> #{order}")
    out = stamp_pdf(pdfs.book(4), STAMP, style)
    assert "Licensed to Ada Lovelace <ada@example.com> #txn_01" in page_texts(out)[3]


def test_one_footer_xobject_shared_by_all_pages() -> None:
    out = stamp_pdf(pdfs.book(12), STAMP)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        forms = {
            xobj.objgen
            for page in pdf.pages[1:]
            for name, xobj in page.Resources.XObject.items()
            if name.startswith("/ExLibris")
        }
        closings = {page.obj.Contents[-1].objgen for page in pdf.pages[1:]}
    assert len(forms) == 1
    assert len(closings) == 1  # one geometry, one placement stream


def test_outline_and_links_survive() -> None:
    original = pdfs.book(20)
    out = stamp_pdf(original, STAMP)
    assert _outline_titles(out) == _outline_titles(original)
    assert _link_targets(out) == _link_targets(original)


def test_buyer_data_cannot_break_the_line() -> None:
    evil = Stamp(name="Eve\nRest) Tj (x", email="e@x\r.y", order_id="o\t1", code=STAMP.code)
    texts = page_texts(stamp_pdf(pdfs.book(3), evil))
    assert "Eve Rest) Tj (x" in texts[2]


def _outline_titles(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as outline:
        return [item.title for item in outline.root]


def _link_targets(data: bytes) -> list[tuple[int, str]]:
    """(page index, target) of every link; internal targets are page indexes or names."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        for n, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", ()):
                if annot.get("/Subtype") != "/Link":
                    continue
                if "/A" in annot:
                    found.append((n, str(annot.A.URI)))
                elif isinstance(annot.Dest, pikepdf.Array):
                    found.append((n, f"page {index[annot.Dest[0].objgen]}"))
                else:
                    found.append((n, f"name {annot.Dest}"))
    return found


NAMES = {
    "latin": "Zoë Ångström-Łukasiewicz",
    "cyrillic": "Ольга Петрова",
    "greek": "Ελένη Παπαδοπούλου",
    "hebrew": "שלום עליכם",
    "arabic": "محمد عبد الله",
    "cjk": "王小明",
    "japanese": "山田 花子 さくら",
    "korean": "김민준",
}


@pytest.mark.parametrize("script", NAMES)
def test_any_name_is_embedded_drawable_and_extractable(script: str) -> None:
    name = NAMES[script]
    if missing_glyphs(name):
        pytest.skip(f"no installed font draws {script}: apt-get install fonts-wqy-microhei")
    out = stamp_pdf(pdfs.book(3), Stamp(name, "a@example.com", "o1", STAMP.code))
    text = unicodedata.normalize("NFKC", page_texts(out)[2])
    # Extractors re-order right-to-left text their own way; the letters must all be there.
    assert set(name) <= set(text)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        fonts = footer_fonts(pdf)
        assert fonts and all(embedded_program(f) for f in fonts)


def test_owner_password_only_is_stamped_and_keeps_its_restrictions() -> None:
    out = stamp_pdf(pdfs.encrypted(owner="author-secret"), STAMP)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert pdf.is_encrypted
        assert not pdf.allow.extract
    assert "Ada Lovelace" in page_texts(out)[3]


def test_open_password_is_a_permanent_error_that_says_so() -> None:
    with pytest.raises(StampError, match="password"):
        stamp_pdf(pdfs.encrypted(owner="o", user="reader"), STAMP)


def test_damaged_xref_is_repaired() -> None:
    out = stamp_pdf(pdfs.damaged_xref(4), STAMP)
    assert len(page_texts(out)) == 4
    assert "Ada Lovelace" in page_texts(out)[3]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a PDF"),
        (b"PK\x03\x04 this is a zip", "not a PDF"),
        (b"%PDF-1.7\n", "damaged"),
    ],
)
def test_unusable_files_are_stamp_errors(data: bytes, reason: str) -> None:
    with pytest.raises(StampError, match=reason):
        stamp_pdf(data, STAMP)


def test_truncated_file_is_a_stamp_error() -> None:
    with pytest.raises(StampError):
        stamp_pdf(pdfs.truncated(), STAMP)


def footer_fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    page = pdf.pages[-1]
    forms = [x for n, x in page.Resources.XObject.items() if n.startswith("/ExLibris")]
    return [f for f in forms[0].Resources.Font.values() if f.get("/Subtype") == "/Type0"]


def embedded_program(font: pikepdf.Dictionary) -> bool:
    """Whether a Type0 font carries its glyphs (TrueType or CFF outlines)."""
    descriptor = font.DescendantFonts[0].FontDescriptor
    return "/FontFile2" in descriptor or "/FontFile3" in descriptor


def test_a_mixed_script_name_renders_at_the_bottom() -> None:
    name = "王小明 محمد שלום Ольга"
    if missing_glyphs(name):
        pytest.skip("no installed CJK font: apt-get install fonts-wqy-microhei")
    style = StampStyle(skip_pages=0, color="#000000", opacity=1.0)
    out = stamp_pdf(pdfs.hand_written(1), Stamp(name, "a@example.com", "o1", STAMP.code), style)
    image = pdfs.render_gray(out, 1)
    if image is None:
        pytest.skip("pdftoppm missing: apt-get install poppler-utils")
    bottom = image.crop((0, int(image.height * 0.85), image.width, image.height))
    assert pdfs.ink_box(bottom) is not None


@pytest.mark.parametrize(
    "original",
    [pdfs.book(8), pdfs.rotated(90), pdfs.shifted(50, 80, crop_inset=20), pdfs.encrypted("o")],
    ids=["book", "rotated", "shifted", "owner-encrypted"],
)
def test_poppler_reads_the_stamp_on_every_stamped_page(original: bytes, tmp_path) -> None:
    """pdftotext (poppler, as in Evince and Okular) finds the code on each page after the cover."""
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(stamp_pdf(original, STAMP))
    pages = subprocess.run(
        ["pdftotext", str(copy), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")[:-1]
    assert len(pages) > 1
    assert STAMP.code not in pages[0]  # the cover
    assert all(STAMP.code in text and "Ada Lovelace" in text for text in pages[1:])
