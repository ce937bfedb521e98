"""The `check` preflight: facts an author needs, and an honest verdict."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stamping.pdf.preflight import check_pdf, format_report, write_previews
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


def test_skipping_every_page_is_a_problem() -> None:
    report = check_pdf(pdfs.book(3), StampStyle(skip_pages=3))
    assert not report.clean
    assert "no page to stamp" in report.problems[0]


def test_previews_are_written(tmp_path: Path) -> None:
    written = write_previews(check_pdf(pdfs.book(4)), tmp_path, "book")
    assert written[0] == tmp_path / "book.preview.pdf"
    assert written[0].read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: apt-get install poppler-utils (the PNG preview needs it)")
    assert written[1] == tmp_path / "book.page2.png"
    assert written[1].read_bytes().startswith(b"\x89PNG")
