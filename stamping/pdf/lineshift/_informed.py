"""Informed detection: the original's carrying pages against the suspect's, and who matches.

The original is laid out again exactly as stamping laid it out (the same
carrying pages, the same marked lines), both books' pages are drawn by the
renderer the caller injects (stamping/raster.py), and each carrying page of
the original is compared with the suspect's page of the same number. A
candidate is named only when the chance that any wrong candidate scores as
high, over all candidates tried, is below FALSE_ALARM.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from stamping.limits import current
from stamping.pdf._geometry import page_geometry
from stamping.pdf.lineshift._bands import page_bands
from stamping.pdf.lineshift._detect import Reading, Score, expected_rows, read_page, score
from stamping.pdf.lineshift._lines import carrying_pages
from stamping.trace import Renderer

FALSE_ALARM = 1e-9  # the most a trace may risk naming an innocent order, over all candidates


@dataclass(frozen=True)
class Readings:
    """The moves measured in a suspect, and what it takes to score a candidate on them."""

    moves: list[Reading]
    marks: dict[int, int]  # carrying page (1-based) -> its marked lines
    pages: int  # carrying pages whose lines were registered

    def score(self, code: str) -> Score:
        return score(self.moves, code, self.marks)


def read_moves(original: bytes, suspect: bytes, suspect_pages: int, render: Renderer) -> Readings:
    """The moves of the original's marked lines in the suspect (pages compared by number)."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        carrying = {n + 1: lines for n, lines in carrying_pages(pdf).items()}
        boxes = {n: page_geometry(pdf.pages[n - 1].obj).box for n in carrying}
    with pikepdf.open(io.BytesIO(suspect)) as pdf:
        sizes = {
            n: page_geometry(pdf.pages[n - 1].obj).reader_size
            for n in carrying
            if n <= suspect_pages
        }
    marks = {n: len(lines.marked) for n, lines in carrying.items()}
    if not sizes:
        return Readings([], marks, 0)
    drawn = render(
        original, {n: (b[2] - b[0], b[3] - b[1]) for n, b in boxes.items() if n in sizes}
    )
    budget = current()
    budget.tick("drawing the original's pages")
    seen = render(suspect, sizes)
    moves: list[Reading] = []
    pages = 0
    for number, image in sorted(drawn.items()):
        budget.tick("reading the line-shift mark")
        if number not in seen:
            continue
        box = boxes[number]
        dpi = image.height * 72 / (box[3] - box[1])
        rows = expected_rows(carrying[number], box[3], dpi)
        own, theirs = page_bands(image, straight=True)[0], page_bands(seen[number])[0]
        found = read_page(number, carrying[number], (own, theirs), rows, dpi)
        pages += bool(found)
        moves += found
    return Readings(moves, marks, pages)


def named(readings: Readings, candidates: list[str]) -> list[tuple[str, Score]]:
    """The candidates whose pattern the moves match beyond doubt, best first."""
    scored = [(code, readings.score(code)) for code in dict.fromkeys(candidates)]
    limit = FALSE_ALARM / max(len(scored), 1)
    return sorted(((c, s) for c, s in scored if s.bound <= limit), key=lambda cs: -cs[1].z)
