"""Every corpus file (tests/corpus/) is stamped, preflighted and traced; none makes us crash.

A file that stamps must show the stamp on every stamped page in poppler (the
text layer through pdftotext, ink in the footer band through pdftoppm), and
its copy must trace back to the buyer. A file that is refused is refused in
words, without a Python repr. `check` never raises, and says what the case
says it must.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest

from common.codes import make_code
from console.files._trace import authentic_with
from stamping.pdf.plan import prepare_plan
from stamping.pdf.preflight._preflight import check_pdf, format_report
from stamping.pdf.trace import trace_pdf
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle
from tests.corpus import Case, all_cases
from tests.support import pdfs

SECRET = "corpus-secret"
BUYER = Stamp("Ada Lovelace", "ada@example.com", "txn_corpus", make_code(SECRET, "txn_corpus"))
CASES = all_cases()
STAMPING = [c for c in CASES if c.stamps]


authentic = authentic_with(SECRET)  # what `trace` checks codes with


def params(cases: list[Case]) -> list[object]:
    """The cases as test parameters, named, the slow ones in the slow tier."""
    return [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.slow else []) for c in cases]


def style_of(case: Case) -> StampStyle:
    return StampStyle(skip_pages=case.skip_pages, color="#000000", opacity=1.0)


def stamped_pages(copy: bytes, case: Case) -> list[int]:
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        total = len(pdf.pages)
    return list(range(min(case.skip_pages, total - 1) + 1, total + 1))


def pdftotext(data: bytes, page: int, folder: Path) -> str:
    path = folder / "copy.pdf"
    path.write_bytes(data)
    args = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("case", params([c for c in CASES if not c.stamps]))
def test_a_refused_file_is_refused_in_words(case: Case) -> None:
    with pytest.raises(StampError) as refused:
        prepare_plan(case.build())
    message = str(refused.value)
    assert case.refusal in message and "<_io" not in message and "0x" not in message
    report = check_pdf(case.build())
    assert not report.clean and case.refusal in report.problems[0]


@pytest.mark.parametrize("case", params(STAMPING))
def test_a_stamped_file_shows_and_traces_its_buyer(case: Case, tmp_path: Path) -> None:
    copy = prepare_plan(case.build(), style_of(case)).copy(BUYER)
    for page in stamped_pages(copy, case):
        text = pdftotext(copy, page, tmp_path)
        shown = BUYER.code in text and BUYER.email in text  # the whole footer, email too
        assert shown == case.poppler_footer, f"page {page}: {text!r}"
        own = pdftotext(case.build(), page, tmp_path).split()
        assert all(word in text for word in own), f"page {page} lost its own text: {text!r}"
    [finding] = trace_pdf(copy, authentic).findings
    assert (finding.order_id, finding.authentic) == (BUYER.order_id, True)


@pytest.mark.parametrize("case", params([c for c in STAMPING if c.poppler_footer]))
def test_the_footer_is_drawn_whatever_the_content(case: Case) -> None:
    """Rendered by poppler: ink in the bottom band, where the footer goes."""
    copy = prepare_plan(case.build(), style_of(case)).copy(BUYER)
    for page in stamped_pages(copy, case):
        image = pdfs.render_gray(copy, page, dpi=144)
        assert image is not None
        band = image.crop((0, image.height - 2 * 30, image.width, image.height - 2 * 12))
        assert pdfs.ink_box(band, threshold=250) is not None, f"page {page}: no footer ink"


@pytest.mark.parametrize("case", params(CASES))
def test_check_says_what_it_must_and_never_raises(case: Case) -> None:
    report = check_pdf(case.build(), style_of(case))
    text = format_report(report)
    assert case.warning in text
    assert "Traceback" not in text and "<_io" not in text
    if case.stamps and not case.warning:
        assert report.clean, text


def _case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def test_a_repair_keeps_the_outline_or_the_stamp_says_it_is_lost() -> None:
    """Issue 26: qpdf's repair of an xref chain that loops lost the bookmarks without a word."""
    kept = prepare_plan(_case("xref-loop-frees-the-outline").build()).copy(BUYER)
    with pikepdf.open(io.BytesIO(kept)) as pdf:
        assert [item.title for item in pdf.open_outline().root] == ["Chapter 1", "Chapter 2"]
    lost = prepare_plan(_case("outline-in-a-lost-object-stream").build())
    assert any("lost the outline" in note for note in lost.notes), lost.notes
