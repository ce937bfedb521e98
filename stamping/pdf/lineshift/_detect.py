"""Reading the line-shift mark: register a suspect page on the original's, measure each marked
line's move, and score a candidate copy's pattern against the moves.

The suspect may be cropped, scaled and turned, so its text lines are first
matched to the original's: the scale from the ratio of line spacings, the
offset by vote over line pairs, both refined by least squares on the matched
lines. A marked line's move is measured as Brassil et al. and Low et al. do,
against its control lines: its centroid's offset from where the original puts
it, less the offsets of the unmoved lines above and below (interpolated), so
what a scan does to a whole region (stretch, a slight bend) cancels.

The score of a candidate is the correlation of the measured moves with its
pattern (+1 up, -1 down), each move in units of the expected one and clipped
to ±2. For a wrong candidate the pattern's signs are independent fair coins
(a hash of another code), whatever the moves, so Hoeffding's inequality bounds
the chance that it scores z or more by exp(-z²/2): an exact bound that needs
no model of the noise.
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from dataclasses import dataclass

from stamping.pdf.lineshift._bands import Band
from stamping.pdf.lineshift._lines import SHIFT_PT, PageLines
from stamping.pdf.lineshift._moves import pattern

_CLIP = 2.0  # a move is counted in units of the expected one, at most this much either way
_TOLERANCE = 0.25  # of the line spacing: how far a line may be from where registration puts it


@dataclass(frozen=True)
class Reading:
    page: int  # 1-based
    mark: int  # the marked line's index on its page, top to bottom
    move: float  # measured, in units of SHIFT_PT, up positive, clipped


@dataclass(frozen=True)
class Score:
    z: float
    lines: int
    bound: float  # the chance a wrong candidate scores z or more: exp(-z²/2)


def expected_rows(lines: PageLines, top: float, dpi: float) -> list[float]:
    """Where the original's bands of each line should centre, in rows from the page's top."""
    return [(top - line.y - 0.3 * line.size) * dpi / 72 for line in lines.lines]


def read_page(
    number: int,
    lines: PageLines,
    bands: tuple[list[Band], list[Band]],
    rows: list[float],
    dpi: float,
) -> list[Reading]:
    """The moves of the page's marked lines in the suspect page, where registration holds;
    `bands` are the original's and the suspect's, `rows` where the original's lines centre."""
    original, suspect = bands
    own = [_band_at(original, row) for row in rows]
    fit = _register([b.centroid for b in original], [b.centroid for b in suspect])
    if fit is None:
        return []
    scale, offset, spacing = fit
    unit = -SHIFT_PT * dpi / 72 * scale  # rows grow downwards: a line moved up has fewer
    found = []
    for mark, index in enumerate(lines.marked):
        trio = [own[index - 1], own[index], own[index + 1]]
        if any(b is None for b in trio) or len({id(b) for b in trio}) < 3:
            continue
        a = [b.centroid for b in trio if b is not None]
        s = [_nearest(suspect, scale * c + offset, spacing) for c in a]
        if any(v is None for v in s):
            continue
        off = [v - (scale * c + offset) for v, c in zip(s, a, strict=True) if v is not None]
        w = (a[1] - a[0]) / (a[2] - a[0])
        move = (off[1] - ((1 - w) * off[0] + w * off[2])) / unit
        found.append(Reading(number, mark, max(-_CLIP, min(_CLIP, move))))
    return found


def score(readings: list[Reading], code: str, marks: dict[int, int]) -> Score:
    """How well the moves match the pattern of `code`; `marks` counts each page's marked lines."""
    if not readings:
        return Score(0.0, 0, 1.0)
    patterns = {page: pattern(code, page, count) for page, count in marks.items()}
    total = sum(r.move * (1 if patterns[r.page][r.mark] else -1) for r in readings)
    power = math.sqrt(sum(r.move**2 for r in readings))
    z = total / power if power > 0 else 0.0
    return Score(z, len(readings), math.exp(-z * z / 2) if z > 0 else 1.0)


def _band_at(bands: list[Band], row: float) -> Band | None:
    near = min(bands, key=lambda b: abs(b.centroid - row), default=None)
    return near if near is not None and near.top - 2 <= row <= near.bottom + 2 else None


def _nearest(centroids: list[Band], row: float, spacing: float) -> float | None:
    near = min(centroids, key=lambda b: abs(b.centroid - row), default=None)
    if near is None or abs(near.centroid - row) > _TOLERANCE * spacing:
        return None
    return near.centroid


def _register(a: list[float], b: list[float]) -> tuple[float, float, float] | None:
    """Scale and offset taking the original's line centroids to the suspect's, and the spacing
    of the suspect's lines; None when too few lines agree."""
    if len(a) < 5 or len(b) < 5:
        return None
    spacing_a, spacing_b = _spacing(a), _spacing(b)
    if spacing_a <= 0 or spacing_b <= 0:
        return None
    # Moved lines and paragraph gaps make the spacing a rough guess of the scale: every scale
    # within 12 % of it is tried, and the one that lines the most lines up wins.
    guesses = [spacing_b / spacing_a * (1 + k / 200) for k in range(-24, 25)]
    votes = [_densest([y - s * x for x in a for y in b], _TOLERANCE * spacing_b) for s in guesses]
    best = max(range(len(guesses)), key=lambda k: (votes[k][1], -abs(k - 24)))
    scale, offset = guesses[best], votes[best][0]
    for _ in range(3):
        pairs = [(x, y) for x in a if (y := _close(b, scale * x + offset, spacing_b)) is not None]
        if len(pairs) < max(5, len(a) // 3):
            return None
        scale, offset = _line_fit(pairs)
    return scale, offset, spacing_b


def _spacing(rows: list[float]) -> float:
    """The typical line spacing."""
    return statistics.median(b - a for a, b in itertools.pairwise(rows))


def _densest(values: list[float], width: float) -> tuple[float, int]:
    """The middle of the window of `width` holding the most values, and how many it holds."""
    values = sorted(values)
    best, count, low = 0.0, 0, 0
    for high, value in enumerate(values):
        while value - values[low] > width:
            low += 1
        if high - low + 1 > count:
            best, count = (value + values[low]) / 2, high - low + 1
    return best, count


def _close(b: list[float], row: float, spacing: float) -> float | None:
    """The row of `b` (sorted) nearest `row`, if within the tolerance."""
    at = bisect.bisect_left(b, row)
    near = min(b[max(at - 1, 0) : at + 1], key=lambda y: abs(y - row))
    return near if abs(near - row) <= _TOLERANCE * spacing else None


def _line_fit(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    n = len(pairs)
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    scale = sxy / sxx if sxx > 0 else 1.0
    return scale, my - scale * mx
