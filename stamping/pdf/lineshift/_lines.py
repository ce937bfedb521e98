"""Which text lines of a page carry the line-shift mark, and where their content can move them.

A page's content is read once (qpdf's tokenizer) while the text and
graphics matrices are followed, so each show operator is known by its
baseline in page space. Shows on one baseline (superscripts and subscripts
joined to it) make a line. Following Brassil et al. (differential
encoding: a marked line between two unmoved control lines), every other
line of a regular run of body text is marked: one whose spacing to the lines
above and below is that of body text, never the first or the last.

A marked line is moved by a `0 e Td` right after each operator that positions
one of its runs (`Td`, `TD`, `Tm`, `T*`, or `BT`; before `'` and `"`, which
position and show at once), and moved back by `0 -e Td` after the run's last
show: a `Td` there only resets where the next glyph would go, and the next
run is positioned anew anyway. `e` is the shift in the run's own text
space, so the page moves by `SHIFT_PT` whatever the matrices. Only upright
text on an unrotated page is marked; anything else is read and left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf

from stamping.pdf._geometry import Matrix, page_geometry
from stamping.pdf._streams import parsable

SHIFT_PT = 0.4  # points: Brassil et al. detected 1/300 inch (0.24 pt) after photocopying
MIN_MARKED = 4  # a page with fewer marked lines carries nothing
CARRYING = 12  # pages that carry the mark, spread over the book
_TRIES = 4  # pages looked at from each spot for one that can carry
_POSITIONING = {"Td", "TD", "Tm", "T*", "BT"}
_SHOWS = {"Tj", "TJ", "'", '"'}
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Run:
    """Shows positioned by one operator: where to move them, and their baseline."""

    at: int  # index of the positioning operator (or of the `'`/`"` show)
    before: bool  # move before `at` (a `'` or `"`), else after it
    last: int  # index of the last show of the run
    y: float  # baseline in page space
    scale: float  # page points per unit of the run's text space, vertically
    size: float  # font size in page points
    visible: bool


@dataclass(frozen=True)
class Line:
    y: float  # baseline in page space
    size: float
    runs: tuple[Run, ...]


@dataclass
class PageLines:
    """A page's text lines (top to bottom) and which of them are marked."""

    lines: list[Line] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)  # indexes into lines
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def carries(self) -> bool:
        return len(self.marked) >= MIN_MARKED


def carrying_pages(pdf: pikepdf.Pdf) -> dict[int, PageLines]:
    """The pages (0-based) that carry the mark, the same for every reading of the same book."""
    count = len(pdf.pages)
    spots = min(CARRYING, count)
    chosen: dict[int, PageLines] = {}
    for spot in range(spots):
        start = spot * count // spots
        for number in range(start, min(start + _TRIES, count)):
            lines = PageLines() if number in chosen else page_lines(pdf.pages[number])
            if lines.carries:
                chosen[number] = lines
                break
    return chosen


def page_lines(page: pikepdf.Page) -> PageLines:
    """The page's lines and its marked ones; an empty answer for a page that cannot carry."""
    if page_geometry(page.obj).rotate != 0:
        return PageLines()
    holder = page.obj
    try:
        if parsable(holder, "this PDF's page content") is not holder:
            return PageLines()  # past PARSED_AT_MOST: not worth a full parse
        instructions = list(pikepdf.parse_content_stream(page))  # inline images included
    except (pikepdf.PdfError, ValueError):
        return PageLines()
    runs = list(_runs(instructions))
    lines = _lines([r for r in runs if r.visible])
    return PageLines(lines, _marked(lines), instructions)


def _runs(instructions: list[Instruction]) -> Iterator[Run]:
    """Every run of shows, with the baseline and scale the matrices give it."""
    ctm, stack = _IDENTITY, []
    tlm, size, mode, leading = _IDENTITY, 0.0, 0, 0.0
    start: tuple[int, bool] | None = None
    shows: list[int] = []

    def close() -> Iterator[Run]:
        if start is not None and shows:
            m = _times(tlm, ctm)
            upright = abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[0] > 0 and m[3] > 0
            yield Run(start[0], start[1], shows[-1], m[5], m[3], abs(size * m[3]),
                      upright and mode not in (3, 7))  # fmt: skip

    for index, instruction in enumerate(instructions):
        op, args = _operator(instruction), instruction.operands
        numbers = [float(a) for a in args if isinstance(a, int | float | Decimal)]
        if op in _POSITIONING or op in ("'", '"') or op == "ET":
            yield from close()
            shows = []
            start = None
        if op == "q":
            stack.append((ctm, size, mode, leading))
        elif op == "Q" and stack:
            ctm, size, mode, leading = stack.pop()
        elif op == "cm" and len(numbers) == 6:
            ctm = _times(tuple(numbers), ctm)
        elif op == "BT":
            tlm, start = _IDENTITY, (index, False)
        elif op == "Tf" and len(numbers) == 1:
            size = numbers[0]
        elif op == "Tr" and len(numbers) == 1:
            mode = int(numbers[0])
        elif op == "TL" and len(numbers) == 1:
            leading = numbers[0]
        elif op in ("Td", "TD") and len(numbers) == 2:
            leading = -numbers[1] if op == "TD" else leading
            tlm, start = _times((1, 0, 0, 1, numbers[0], numbers[1]), tlm), (index, False)
        elif op == "Tm" and len(numbers) == 6:
            tlm, start = tuple(numbers), (index, False)  # type: ignore[assignment]
        elif op in ("T*", "'", '"'):
            tlm, start = _times((1, 0, 0, 1, 0, -leading), tlm), (index, op != "T*")
        if op in _SHOWS and start is not None:
            shows.append(index)
    yield from close()


def _lines(runs: list[Run]) -> list[Line]:
    """Runs grouped by baseline, top to bottom; a raised or lowered run joins its line."""
    groups: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: -r.y):
        if groups and groups[-1][0].y - run.y < 0.45 * max(run.size, groups[-1][0].size):
            groups[-1].append(run)
        else:
            groups.append([run])
    lines = []
    for group in groups:
        main = max(group, key=lambda r: sum(1 for o in group if abs(o.y - r.y) < 0.01))
        lines.append(Line(main.y, max(r.size for r in group), tuple(group)))
    return lines


def _marked(lines: list[Line]) -> list[int]:
    """Every other line of regular body text, each between two unmarked control lines."""
    marked: list[int] = []
    for i in range(1, len(lines) - 1):
        up, here, down = lines[i - 1], lines[i], lines[i + 1]
        if (marked and marked[-1] >= i - 1) or here.size <= 0:
            continue
        gaps = (up.y - here.y, here.y - down.y)
        regular = all(1.0 * here.size <= g <= 3.0 * here.size for g in gaps)
        alike = all(0.6 <= other.size / here.size <= 1.6 for other in (up, down))
        if regular and alike:
            marked.append(i)
    return marked


def _operator(instruction: Instruction) -> str:
    try:
        return str(instruction.operator)
    except UnicodeDecodeError:  # garbage where an operator stands: no text operator to follow
        return ""


def _times(m: Matrix | tuple[float, ...], n: Matrix | tuple[float, ...]) -> Matrix:
    """The PDF matrix product m × n."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t,
            e * q + f * s + u)  # fmt: skip
