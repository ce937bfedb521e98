"""The line-shift mark: which lines move, how the copy's content moves them, how moves are read
back from line positions and scored, and what a wrong candidate scores."""

from __future__ import annotations

import io
import random
import re
import subprocess

import pikepdf
import pytest

from stamping.pdf import stamp_pdf
from stamping.pdf.lineshift import (
    FALSE_ALARM,
    SHIFT_PT,
    PageLines,
    Readings,
    carrying_pages,
    named,
    page_lines,
    pattern,
)
from stamping.pdf.lineshift._bands import Band
from stamping.pdf.lineshift._detect import Reading, expected_rows, read_page
from stamping.pdf.plan import prepare_plan
from stamping.stamp import Stamp
from stamping.style import StampStyle
from tests.conftest import needs
from tests.support import pdfs

ADA = Stamp("Ada Lovelace", "ada@example.com", "txn_01hx", "KQMV-2F9W-SZEY")
BOB = Stamp("Bob Byte", "bob@example.com", "txn_02bb", "7K3M-Q9TX-2B4F")
TEX_LIKE = (  # one text object, lines placed by relative Td, a line in two runs
    b"BT /F1 10 Tf 72 700 Td (first) Tj 0 -12 Td (second part) Tj 40 0 Td (two) Tj "
    b"-40 -12 Td (third) Tj 0 -12 Td (fourth) Tj 0 -12 Td (fifth) Tj 0 -12 Td (sixth) Tj "
    b"0 -12 Td (seventh) Tj 0 -12 Td (eighth) Tj 0 -12 Td (ninth) Tj 0 -12 Td (tenth) Tj ET"
)


def tex_like() -> bytes:
    return (
        pdfs.hand_written(1, "/MediaBox [0 0 300 800]")
        .replace(b"BT /F1 12 Tf 130 200 Td (Hello) Tj ET", TEX_LIKE)
        .replace(b"/Length 37", b"/Length %d" % len(TEX_LIKE))
    )


def baselines(data: bytes, page: int) -> list[float]:
    """Every line's baseline on the page (top to bottom), as the engine reads them."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [line.y for line in page_lines(pdf.pages[page]).lines]


def marked_of(data: bytes) -> dict[int, PageLines]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return carrying_pages(pdf)


@pytest.mark.parametrize(
    "book", [pdfs.book(12), pdfs.prose(4), tex_like()], ids=["sample", "prose", "tex"]
)
def test_a_copy_moves_each_marked_line_by_its_pattern_and_nothing_else(book: bytes) -> None:
    carrying = marked_of(book)
    assert carrying
    copy = stamp_pdf(book, ADA, _no_skip())
    for number, lines in carrying.items():
        up = pattern(ADA.code, number + 1, len(lines.marked))
        moved = [after - before for before, after in zip(
            baselines(book, number), baselines(copy, number)[: len(lines.lines)], strict=True
        )]  # fmt: skip
        wanted = [0.0] * len(lines.lines)
        for mark, index in enumerate(lines.marked):
            wanted[index] = SHIFT_PT if up[mark] else -SHIFT_PT
        assert moved == pytest.approx(wanted, abs=1e-4)


def test_marked_lines_sit_between_unmarked_control_lines() -> None:
    for lines in marked_of(pdfs.prose(3)).values():
        assert all(b - a >= 2 for a, b in zip(lines.marked, lines.marked[1:], strict=False))
        assert lines.marked[0] >= 1 and lines.marked[-1] <= len(lines.lines) - 2


def test_the_tex_like_page_moves_both_runs_of_a_marked_line() -> None:
    copy = stamp_pdf(tex_like(), ADA, _no_skip())
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        runs = page_lines(pdf.pages[0]).lines[1].runs
    assert len(runs) == 2 and runs[0].y == runs[1].y


def test_a_copy_adds_one_small_object_per_carrying_page() -> None:
    """The per-copy cost: a list of references per carrying page, the streams all shared."""
    plan = prepare_plan(pdfs.book(12), _no_skip())
    assert 1 <= len(plan.carriers) <= 12
    lists = [c.contents(ADA.code) for c in plan.carriers]
    assert all(len(item) < 64 * 1024 for item in lists)
    assert lists != [c.contents(BOB.code) for c in plan.carriers]


def test_the_pattern_is_the_codes_and_the_pages() -> None:
    assert pattern(ADA.code, 3, 40) == pattern(ADA.code, 3, 40)
    assert pattern(ADA.code, 3, 40) != pattern(BOB.code, 3, 40)
    assert pattern(ADA.code, 3, 40) != pattern(ADA.code, 4, 40)
    assert 10 < sum(pattern(ADA.code, 3, 40)) < 30


def test_reading_moves_from_line_positions_after_scale_and_crop() -> None:
    """Synthetic bands: the suspect is the original scaled 0.97, cropped (offset) and moved by
    the pattern; the readings give the pattern back, and its code scores past the threshold."""
    lines = marked_of(pdfs.prose(2))[0]
    dpi = 150.0
    rows = expected_rows(lines, 792, dpi)
    up = pattern(ADA.code, 1, len(lines.marked))
    moves = {
        index: (-1 if up[m] else 1) * SHIFT_PT * dpi / 72 for m, index in enumerate(lines.marked)
    }
    original = [Band(round(r) - 6, round(r) + 6, r, 100.0) for r in rows]
    suspect = [
        Band(0, 0, 0.97 * (r + moves.get(i, 0.0)) - 180.0, 97.0) for i, r in enumerate(rows)
    ][2:]  # the top lines cropped away
    readings = read_page(1, lines, (original, suspect), rows, dpi)
    assert len(readings) >= len(lines.marked) - 2
    assert all((r.move > 0) == up[r.mark] for r in readings)
    assert all(abs(abs(r.move) - 1) < 0.05 for r in readings)


def _readings(code: str, pages: int, noise: float, seed: int = 0) -> Readings:
    rng = random.Random(seed)
    moves = []
    for page in range(1, pages + 1):
        for mark, up in enumerate(pattern(code, page, 20)):
            moves.append(Reading(page, mark, (1 if up else -1) + rng.gauss(0, noise)))
    return Readings(moves, dict.fromkeys(range(1, pages + 1), 20), pages)


def test_the_right_code_is_named_and_a_thousand_wrong_ones_are_not() -> None:
    readings = _readings(ADA.code, 6, noise=0.6)
    wrong = [f"{n:04d}-ZZZZ-{n % 97:04d}" for n in range(1000)]
    found = named(readings, [*wrong, ADA.code])
    assert [code for code, _ in found] == [ADA.code]
    assert found[0][1].bound * 1001 < FALSE_ALARM
    assert max(readings.score(code).z for code in wrong) < 5


def test_pure_noise_names_nobody() -> None:
    rng = random.Random(7)
    moves = [Reading(p, m, rng.gauss(0, 1)) for p in range(1, 13) for m in range(20)]
    readings = Readings(moves, dict.fromkeys(range(1, 13), 20), 12)
    assert named(readings, [ADA.code, BOB.code, *(f"{n:04d}-AAAA-BBBB" for n in range(500))]) == []


def test_too_few_lines_name_nobody_however_well_they_match() -> None:
    """One page's twenty lines matching perfectly is a chance of 2^-20: not beyond doubt."""
    readings = _readings(ADA.code, 1, noise=0.0)
    assert readings.score(ADA.code).z == pytest.approx(20**0.5)
    assert named(readings, [ADA.code]) == []


def _no_skip() -> StampStyle:
    return StampStyle(skip_pages=0)


def unmoved(copy: bytes) -> bytes:
    """The same copy with every move taken out of the carrying pages' lists."""

    def edit(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            contents = page.obj.get("/Contents")
            if isinstance(contents, pikepdf.Array):
                kept = [s for s in contents if not MOVE.fullmatch(s.read_bytes())]
                page.obj.Contents = pikepdf.Array(kept)

    return pdfs.edited(copy, edit)


MOVE = re.compile(rb"0 -?\d+\.\d+ Td\n")


@needs("pdftotext")
@pytest.mark.parametrize("book", [pdfs.book(12), pdfs.prose(4)], ids=["sample", "prose"])
def test_the_text_layer_reads_the_same_with_the_lines_moved(book: bytes, tmp_path) -> None:
    copy = stamp_pdf(book, ADA, _no_skip())
    still = unmoved(copy)
    assert still != copy and marked_of(book)
    texts = []
    for name, data in (("moved", copy), ("still", still)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        done = subprocess.run(
            ["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], capture_output=True, check=True
        )
        texts.append(done.stdout)
    assert texts[0] == texts[1]
