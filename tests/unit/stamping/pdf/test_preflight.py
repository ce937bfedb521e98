"""The `check` preflight: facts an author needs, and an honest verdict."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stamping.pdf.preflight._preflight import check_pdf, format_report, write_previews
from stamping.style import StampStyle
from tests.support import pdfs


def test_facts_of_the_sample_book() -> None:
    report = check_pdf(pdfs.book(12))
    assert report.clean
    facts = report.facts
    assert facts is not None
    assert (facts.pages, facts.outline_items, facts.encryption) == (12, 4, "none")
    assert facts.links > 10
    assert list(facts.geometries.values()) == [12]
    assert "Helvetica (not embedded)" in facts.fonts
    assert "verdict:       stamps cleanly" in format_report(report)


def test_mixed_geometries_are_listed() -> None:
    report = check_pdf(pdfs.hand_written(3, page_attrs="/MediaBox [0 0 300 400] /Rotate 90"))
    assert report.facts is not None
    assert report.facts.geometries == {"400x300 pt, rotated 90": 3}


def test_owner_only_encryption_is_reported_and_stamps() -> None:
    report = check_pdf(pdfs.encrypted(owner="secret"))
    assert report.clean
    assert report.facts is not None and report.facts.encryption.startswith("owner password only")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(pdfs.encrypted(owner="o", user="u"), "password"), (b"not a pdf", "not a PDF")],
)
def test_unstampable_files_get_a_reason(data: bytes, reason: str) -> None:
    report = check_pdf(data)
    assert not report.clean
    assert reason in report.problems[0]
    assert "does NOT stamp cleanly" in format_report(report)


def test_skipping_every_page_stamps_the_last_and_says_so() -> None:
    report = check_pdf(pdfs.book(3), StampStyle(skip_pages=3))
    assert report.clean
    assert report.notes == (
        "skipping 3 page(s) would leave nothing stamped: the last page is stamped",
    )
    assert "note:          skipping 3 page(s)" in format_report(report)
    assert report.first_stamped == 3


FACTORIES = {
    "book": lambda: pdfs.book(4),
    "book-with-images": lambda: pdfs.book(4, images=True),
    "rotated": lambda: pdfs.rotated(90),
    "shifted": lambda: pdfs.shifted(100, -50, crop_inset=10),
    "owner-encrypted": lambda: pdfs.encrypted(owner="o"),
    "user-encrypted": lambda: pdfs.encrypted(owner="o", user="u"),
    "damaged-xref": pdfs.damaged_xref,
    "truncated": pdfs.truncated,
    "hand-written": pdfs.hand_written,
    "inherited-rotation": lambda: pdfs.hand_written(
        2, parent_attrs="/MediaBox [0 0 300 400] /Rotate 90"
    ),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_the_preflight_reads_every_test_file_without_raising(name: str) -> None:
    """Every PDF the tests build (the corpus has its own test): a report in words."""
    report = check_pdf(FACTORIES[name]())
    text = format_report(report)
    assert text.splitlines()[-1].startswith("verdict:")
    assert "<_io" not in text and "Traceback" not in text
    assert report.clean == (name not in ("user-encrypted", "truncated"))


def test_a_one_page_book_checks_with_the_stamps_options() -> None:
    one = pdfs.hand_written(1)
    assert check_pdf(one).notes  # the default skips the cover: the only page is stamped anyway
    assert check_pdf(one, StampStyle(skip_pages=0)).notes == ()


def test_previews_are_written(tmp_path: Path) -> None:
    written = write_previews(check_pdf(pdfs.book(4)), tmp_path, "book")
    assert written[0] == tmp_path / "book.preview.pdf"
    assert written[0].read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: apt-get install poppler-utils (the PNG preview needs it)")
    assert written[1] == tmp_path / "book.page2.png"
    assert written[1].read_bytes().startswith(b"\x89PNG")
