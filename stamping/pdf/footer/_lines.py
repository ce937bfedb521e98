"""How the footer's text becomes lines: names capped, long lines wrapped, never below 6 pt.

The rules (a buyer types their own name, so it may be ten thousand characters):

- a name of up to NAME_LIMIT characters is drawn in full, a longer one is cut
  with an ellipsis (the full name stays in the hidden marks);
- a line that fits the page at the catalog's size is drawn as it is;
- otherwise it is wrapped at a space into two balanced lines;
- the placement (geometry.py) shrinks a footer wider than the page, so no
  line may be wider than the page allows at MIN_SIZE; what two lines at that
  size cannot hold is cut from the name, never from email, order or code.

The name is found in the text through the template (`{name}`); with a
template that has none, the end of the text is cut instead. Cuts fall between
grapheme clusters, so no mark loses its base.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass

from stamping.pdf.footer._fonts import ignorable
from stamping.pdf.footer._shaping import Line, shape_line
from stamping.style import StampStyle

NAME_LIMIT = 100
MIN_SIZE = 6.0
ELLIPSIS = "…"


@dataclass(frozen=True)
class Fitted:
    lines: tuple[Line, ...]
    size: float  # the font size the lines are drawn at (before the placement's scaling)


def fit_lines(text: str, style: StampStyle, page_width: float) -> Fitted:
    """The footer's lines for pages at least `page_width` wide."""
    size = max(style.font_size, MIN_SIZE)
    room = max(page_width - 2 * style.margin, 1.0)
    widest = room * size / MIN_SIZE
    found = name_span(text, style.template)
    span = found or (0, len(text))
    if found and found[1] - found[0] > NAME_LIMIT:
        text, span = _cut(text, span, NAME_LIMIT - 1)
    keep: int | None = None
    for _ in range(8):  # the cut is estimated from the unwrapped line: check it, cut more
        lines = _wrap(text, size, room, widest)
        if max(line.width(size) for line in lines) <= widest or keep == 0:
            break
        keep = _longest_name(text, span, size, widest) if keep is None else keep - 1 - keep // 8
        text, span = _cut(text, span, max(keep, 0))
    return Fitted(lines, size)


def name_span(text: str, template: str) -> tuple[int, int] | None:
    """Where the template's {name} landed in the text, or None if the text does not match."""
    pattern, named = [], False
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:  # not a template at all: no name to find
        return None
    for literal, field, _, _ in fields:
        pattern.append(re.escape(literal))
        if field == "name" and not named:
            pattern.append("(?P<name>.*)")
            named = True
        elif field == "name":
            pattern.append("(?P=name)")
        elif field is not None:
            pattern.append(".*?")
    match = re.fullmatch("".join(pattern), text, re.DOTALL) if named else None
    return match.span("name") if match else None


def _wrap(text: str, size: float, room: float, widest: float) -> tuple[Line, ...]:
    """One line if it fits at full size, else the most balanced split at a space."""
    line = shape_line(text)
    if line.width(size) <= room:
        return (line,)
    split = _best_split(text, line.char_em)
    if split is None:
        return (line,)
    first, second = shape_line(text[:split].rstrip()), shape_line(text[split:].lstrip())
    if max(first.width(size), second.width(size)) > widest and line.width(size) <= widest:
        return (line,)
    return (first, second)


def _best_split(text: str, char_em: tuple[float, ...]) -> int | None:
    """The space that makes the wider of the two lines narrowest (the first such)."""
    total, before, best = sum(char_em), 0.0, None
    best_width = float("inf")
    for index, ch in enumerate(text):
        if ch == " " and 0 < index < len(text) - 1:
            wider = max(before, total - before - char_em[index])
            if wider < best_width:
                best, best_width = index, wider
        before += char_em[index]
    return best


def _longest_name(text: str, span: tuple[int, int], size: float, widest: float) -> int:
    """How many characters of the name fit on two lines of `widest` (estimated)."""
    em = shape_line(text).char_em
    ellipsis = shape_line(ELLIPSIS).width(1.0)
    start, end = span
    low, high = 0, end - start
    while low < high:
        keep = (low + high + 1) // 2
        trial = text[: start + keep] + ELLIPSIS + text[end:]
        trial_em = (*em[: start + keep], ellipsis, *em[end:])
        split = _best_split(trial, trial_em)
        total = sum(trial_em)
        wider = total if split is None else max(sum(trial_em[:split]), sum(trial_em[split + 1 :]))
        low, high = (keep, high) if wider * size <= widest else (low, keep - 1)
    return low


def _cut(text: str, span: tuple[int, int], keep: int) -> tuple[str, tuple[int, int]]:
    """The text with the span cut to `keep` characters (at a cluster boundary) plus an ellipsis."""
    start, end = span
    cut = start + min(keep, end - start - 1)  # always shorter than before
    while cut > start and not _boundary(text, cut):
        cut -= 1
    head = text[start:cut].rstrip()
    shortened = text[:start] + head + ELLIPSIS
    return shortened + text[end:], (start, len(shortened))


def _boundary(text: str, index: int) -> bool:
    """Whether a cut before text[index] keeps every grapheme cluster whole."""
    if index >= len(text):
        return True
    ch, before = text[index], text[index - 1]
    modifier = 0x1F3FB <= ord(ch) <= 0x1F3FF
    return not (
        unicodedata.category(ch)[0] == "M" or ignorable(ch) or modifier or before == "\u200d"
    )
