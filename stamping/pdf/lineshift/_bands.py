"""Text lines in a page image: deskewed horizontal projection profile, bands and their centroids.

The classic measurement of line-shift marking (Low, Maxemchuk and Lapone,
"Document identification for copyright protection using centroid detection",
IEEE Trans. Commun. 46(3), 1998): a text line is a band of rows holding ink
in the page's horizontal projection profile, and its centroid, the
ink-weighted mean row, moves with the line to a small fraction of a pixel
even after blur, noise and JPEG, since thousands of pixels average out.

A scan is seldom straight, and 0.5 degree across a text line spreads it over
four points, so the profile is taken along the page's tilt: found coarsely
as the angle whose profile is sharpest (projection-profile skew detection,
coarse then fine as in Cheng, Yao and Li 2015,
http://www.cjig.cn/zh/article/doi/10.11834/jig.20150104, and Li, Shen and
Sun 2007, https://ja.scribd.com/document/190606863/lishutao-200703-5), then
finely by fitting one slope to every line's centroids across the page.
Lines that touch (descenders over ascenders) are split at the deep minimum
between them; a line's ascenders, x-height and descenders stay one line.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass

from PIL import Image, ImageOps

_SPAN, _STEP = 2.0, 0.2  # degrees: the tilt searched, by steps of
_STRIPS = 16  # vertical strips: 16 of a page's width make 0.1 degree a whole row
_SPLIT = 0.35  # a minimum below this share of the lower neighbouring peak splits a band
_LEVEL = 0.08  # of the way from blank rows to the inkiest: a row at least this inky holds ink
_GAP = 3  # rows: runs this close are one line (its ascenders, x-height and descenders)


@dataclass(frozen=True)
class Band:
    top: int
    bottom: int  # exclusive, in the sheared profile's rows
    centroid: float  # rows from the top, as if the page were turned straight
    mass: float  # ink in the band


def page_bands(image: Image.Image, straight: bool = False) -> tuple[list[Band], float]:
    """The image's text-line bands, top to bottom, and the page's tilt (rows per column);
    a `straight` image (a page drawn, not scanned) is not searched for a tilt."""
    ink = ImageOps.invert(image.convert("L")).convert("F")
    strips = _strips(ink)
    coarse = 0.0 if straight else _coarse_slope(_strips(ink.reduce(4)))
    runs, floor = bands(_tilted(strips, coarse))
    measured = [_moments(strips, coarse, run, floor) for run in runs]
    slope = _slope(measured)
    found = []
    for (top, bottom), parts in zip(runs, measured, strict=True):
        mass = sum(m for _, m, _ in parts)
        if mass > 0:
            x = sum(x * m for x, m, _ in parts) / mass
            y = sum(y * m for _, m, y in parts) / mass
            found.append(Band(top, bottom, y - slope * x, mass))
    return found, coarse + slope


def profile(ink: Image.Image) -> list[float]:
    """Mean ink of each row of the image (an "F" image: one float per pixel)."""
    column = ink.resize((1, ink.height), Image.Resampling.BOX).get_flattened_data()
    return [float(value) for value in column]  # type: ignore[arg-type]


def bands(rows: list[float]) -> tuple[list[tuple[int, int]], float]:
    """Runs of rows holding ink, split where two lines touch; and the blank rows' level.

    Ascenders and descenders hold little ink next to the x-height, so a run
    broken by a row or two below the level is one line, not three."""
    ordered = sorted(rows)
    floor = ordered[len(ordered) // 10]
    level = floor + _LEVEL * (ordered[len(ordered) * 95 // 100] - floor)
    runs: list[tuple[int, int]] = []
    start = None
    for y, value in enumerate([*rows, floor]):
        if value > level and start is None:
            start = y
        elif value <= level and start is not None:
            if runs and start - runs[-1][1] <= _GAP:
                start = runs.pop()[0]
            runs.append((start, y))
            start = None
    tall = statistics.median(b - a for a, b in runs) if runs else 0
    return [part for run in runs for part in _split(rows, *run, tall)], floor


def _moments(
    strips: list[tuple[float, list[float]]], slope: float, run: tuple[int, int], floor: float
) -> list[tuple[float, float, float]]:
    """(x, ink, centroid row) of one band in each strip, the strip's rows moved by the tilt."""
    top, bottom = run
    parts = []
    for offset, rows in strips:
        move = round(offset * slope)
        low, high = max(top - 2 + move, 0), min(bottom + 2 + move, len(rows))
        weights = [(y, max(rows[y] - floor / _STRIPS, 0.0)) for y in range(low, high)]
        mass = sum(w for _, w in weights)
        if mass > 0:
            centroid = sum((y + 0.5) * w for y, w in weights) / mass
            parts.append((offset, mass, centroid - offset * slope))
    return parts


def _split(rows: list[float], top: int, bottom: int, tall: float) -> list[tuple[int, int]]:
    """The run [top, bottom) cut at its deepest minimum between two peaks, recursively, where
    it is taller than 1.6 lines of the page's typical height `tall`."""
    if bottom - top < 1.6 * tall:
        return [(top, bottom)]
    best, best_depth = None, _SPLIT
    for y in range(top + 3, bottom - 3):
        if rows[y] <= rows[y - 1] and rows[y] <= rows[y + 1]:
            peak = min(max(rows[top:y]), max(rows[y + 1 : bottom]))
            depth = rows[y] / peak if peak > 0 else 1.0
            if depth < best_depth:
                best, best_depth = y, depth
    if best is None:
        return [(top, bottom)]
    return [*_split(rows, top, best, tall), *_split(rows, best + 1, bottom, tall)]


def _coarse_slope(strips: list[tuple[float, list[float]]]) -> float:
    """The tilt, within ±2 degrees to a tenth, that makes the strips' sum sharpest.

    Each strip's profile moves by whole rows, never resampled, so no angle is
    favoured for blurring less."""
    count = round(_SPAN / _STEP)
    slopes = [math.tan(math.radians(k * _STEP)) for k in range(-count, count + 1)]
    return max(slopes, key=lambda s: _sharpness(_tilted(strips, s)))


def _slope(measured: list[list[tuple[float, float, float]]]) -> float:
    """The tilt left after the coarse one: the bands' centroids across the strips, fitted as one
    slope (weighted least squares, an intercept per band); added to the coarse one."""
    num = den = 0.0
    for parts in measured:
        mass = sum(m for _, m, _ in parts)
        if mass <= 0 or len(parts) < 2:
            continue
        x0 = sum(x * m for x, m, _ in parts) / mass
        y0 = sum(y * m for _, m, y in parts) / mass
        num += sum(m * (x - x0) * (y - y0) for x, m, y in parts)
        den += sum(m * (x - x0) ** 2 for x, m, _ in parts)
    return num / den if den > 0 else 0.0


def _strips(ink: Image.Image) -> list[tuple[float, list[float]]]:
    """(offset of its centre from the image's, its profile) for each vertical strip."""
    width = ink.width / _STRIPS
    out = []
    for k in range(_STRIPS):
        left, right = round(k * width), round((k + 1) * width)
        strip = ink.crop((left, 0, right, ink.height))
        out.append(((left + right - ink.width) / 2, profile(strip)))
    return out


def _tilted(strips: list[tuple[float, list[float]]], slope: float) -> list[float]:
    """The profile of the whole image sheared by `slope`: each strip moved and added."""
    height = len(strips[0][1])
    total = [0.0] * height
    for offset, rows in strips:
        move = round(offset * slope)
        for y in range(max(0, -move), min(height, height - move)):
            total[y] += rows[y + move]
    return total


def _sharpness(rows: list[float]) -> float:
    return sum((b - a) ** 2 for a, b in itertools.pairwise(rows))
