"""Finding stamp codes in text a page shows or OCR read, and in the readings OCR got wrong.

A code is twelve Crockford base32 characters in three dashed groups
(common/codes). The engine does not know the shop's secret: callers
pass a checker that says whether a code is authentic, so only the MAC decides
what a misread means. Text from a text layer is matched strictly, and a
reading that fails the MAC is reported (as a forgery) only when it is in our
alphabet exactly, upper case: "hand-over-hand" reads as HAND-0VER-HAND only
through look-alike swaps, and a word is no forgery. OCR text is matched
leniently (any dash-like separator, or none) and each reading that fails the
MAC is tried again with up to two look-alike characters swapped (5 and S, 8
and B, …): with a 25-bit MAC, the few hundred readings tried per code leave
a false match at about one in a hundred thousand per misread code. OCR
readings are searched overlapping: an order id ending in a group of four or
eight (TRACE-48151623) makes a reading of its own with the code's first group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations, product

from stamping.trace import CROCKFORD, Checker, canonical

_STRICT = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})-([0-9A-Za-z]{4})-([0-9A-Za-z]{4})(?![0-9A-Za-z])"
)
_EXACT = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}")  # a group as the shop prints it (common/codes)
_SEP = r"[\s\-‐‑‒–—―_.,:~=]{0,3}"
# In a lookahead, so every start is tried and readings may overlap (re's documented idiom
# for overlapping matches: a zero-width match with a capturing group inside a lookahead).
_LENIENT = re.compile(
    rf"(?<![0-9A-Za-z])(?=([0-9A-Za-z]{{4}}){_SEP}([0-9A-Za-z]{{4}}){_SEP}([0-9A-Za-z]{{4}})(?![0-9A-Za-z]))"
)
_DASHED = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-Za-z]{4})[-‐‑‒–—]([0-9A-Za-z]{4})[-‐‑‒–—]([0-9A-Za-z]{4})(?![0-9A-Za-z])"
)
# What OCR mistakes for what, among shapes a footer font draws alike.
_LOOK_ALIKE = {
    "0": "9DQ8", "9": "0", "D": "0Q", "Q": "0D", "1": "7TJ", "7": "1T", "T": "17", "J": "1",
    "5": "S", "S": "5", "2": "Z", "Z": "2", "8": "B30", "B": "8", "3": "8",
    "6": "G", "G": "6C", "C": "G", "4": "A", "A": "4", "V": "YW", "Y": "V", "W": "V",
    "M": "N", "N": "MH", "H": "N", "E": "F", "F": "E", "K": "X", "X": "K", "R": "K",
}  # fmt: skip
_MAX_SWAPS = 2


def codes_in_text(text: str, check: Checker | None = None) -> list[str]:
    """Every strictly formed code in a text layer, canonical, in order, once each.

    Producers space glyphs as they like (a kerned pair can read as a word gap),
    so the text is also read without spaces; a code found only that way counts
    when the checker vouches for it, never as a forgery.
    """
    found = [_printed(m.groups(), check) for m in _STRICT.finditer(text)]
    if check is not None:
        squeezed = re.sub(r"\s+", "", text)
        found += [
            c
            for m in _STRICT.finditer(squeezed)
            if (c := canonical("".join(m.groups()))) and c not in found and check(c)
        ]
    return list(dict.fromkeys(code for code in found if code))


def _printed(groups: tuple[str, ...], check: Checker | None) -> str | None:
    """The code a strict match reads as, when it counts: printed as ours, or vouched for."""
    code = canonical("".join(groups))
    if code is None:
        return None
    if all(_EXACT.fullmatch(group) for group in groups) or (check is not None and check(code)):
        return code
    return None


def codes_in_ocr(text: str, check: Checker) -> tuple[list[str], list[str]]:
    """(authentic codes, dashed readings no swap made authentic when none was) in OCR text."""
    authentic: dict[str, None] = {}
    # OCR splits a group with a stray space now and then: read the lines without spaces too.
    for source in (text, re.sub(r"[ \t]+", "", text)):
        for match in _LENIENT.finditer(source):
            code = next((c for c in readings("".join(match.groups())) if check(c)), None)
            if code is not None:
                authentic[code] = None
    if authentic:
        return list(authentic), []
    unread = ("-".join(m.groups()).upper() for m in _DASHED.finditer(text))
    return [], list(dict.fromkeys(unread))


def readings(reading: str) -> Iterator[str]:
    """The reading as read, then with one, then two look-alike characters swapped."""
    chars = [CROCKFORD.get(ch, ch) for ch in reading.upper()]
    first = canonical("".join(chars))
    if first is not None:
        yield first
    for swaps in range(1, _MAX_SWAPS + 1):
        for places in combinations(range(len(chars)), swaps):
            options = [_LOOK_ALIKE.get(chars[p], "") for p in places]
            for choice in product(*options):
                swapped = list(chars)
                for place, ch in zip(places, choice, strict=True):
                    swapped[place] = ch
                code = canonical("".join(swapped))
                if code is not None:
                    yield code
