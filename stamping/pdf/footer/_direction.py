"""Right-to-left text in a left-to-right world: embedding levels and the visual order of runs.

A PDF shows glyphs where they are drawn, so a line that mixes Hebrew or
Arabic with Latin must be drawn in visual order: the Unicode bidirectional
algorithm (UAX #9) gives each character an embedding level (odd: right to
left), HarfBuzz shapes each run in its own direction, and the runs are then
put in visual order by rule L2. python-bidi's Rust core only returns the
reordered string, so the levels come from its pure-Python implementation
(`bidi.algorithm`), whose steps are public functions; it is only asked when
the line holds a right-to-left character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI"})
# Classes the legacy implementation predates (Unicode 6.3 isolates; "" for unassigned):
# isolates become a boundary neutral it drops (U+200B, class BN), unassigned letters a
# private-use one (U+E000, class L, the default for unassigned code points).
_STAND_INS = {"LRI": "\u200b", "RLI": "\u200b", "FSI": "\u200b", "PDI": "\u200b", "": "\ue000"}
T = TypeVar("T")


def embedding_levels(text: str) -> list[int]:
    """The resolved embedding level of each character (rules P2 to I2)."""
    if not any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text):
        return [0] * len(text)
    text = "".join(_STAND_INS.get(unicodedata.bidirectional(ch), ch) for ch in text)
    try:
        return _resolved_levels(text)
    except AssertionError:  # the legacy code asserts on input it does not expect
        return [1 if unicodedata.bidirectional(ch) in _RTL_CLASSES else 0 for ch in text]


def _resolved_levels(text: str) -> list[int]:
    from bidi import algorithm as uba  # here: only right-to-left text needs it

    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, "LR"[base]
    uba.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index  # X9 drops joiners and embeddings: remember where each was
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    resolved, previous = [], base
    for level in levels:  # a dropped character takes the level of the one before it (X9)
        previous = previous if level is None else level
        resolved.append(previous)
    return resolved


def visual_order(items: Sequence[T], levels: Sequence[int]) -> list[T]:
    """Items of one line, each at one level, in the order they are shown (rule L2)."""
    order = list(range(len(items)))
    odd = [level for level in levels if level % 2]
    if not odd:
        return list(items)
    for level in range(max(levels), min(odd) - 1, -1):
        start = None
        for pos in range(len(order) + 1):
            inside = pos < len(order) and levels[order[pos]] >= level
            if inside and start is None:
                start = pos
            elif not inside and start is not None:
                order[start:pos] = reversed(order[start:pos])
                start = None
    return [items[i] for i in order]
