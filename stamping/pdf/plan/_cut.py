"""Taking qpdf's output of a laid-out book apart: what every copy shares, what each rewrites.

qpdf renumbers objects when it writes, so the slots are found again by the
/ExLibrisSlot marker in their dictionaries (only the objects outside object
streams are searched, each within its own bytes), the catalog through the
trailer and the page tree root through the catalog. Cut out are the slots,
the catalog, the page tree root and the old cross-reference section; every
other object keeps its bytes and moves up by what was cut before it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from stamping.pdf.plan._layout import SLOT_KEY, Slots
from stamping.pdf.plan._xref import Buffer, Entry, Xref, encode_row, encode_rows, read_xref
from stamping.stamp import StampError

_SLOT = re.compile(rb"/ExLibrisSlot\s*/(\w+)")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")


@dataclass(frozen=True)
class Cut:
    """qpdf's output of a laid-out book, taken apart for copying."""

    kept: tuple[tuple[int, int], ...]  # byte ranges shared by every copy, in order
    rows: bytes  # cross-reference rows with the moved objects free and offsets shifted
    slots: dict[str, int]  # slot name -> object number
    tail: tuple[tuple[int, bytes], ...]  # the catalog and the page tree root, verbatim
    trailer_refs: bytes  # /Root, /Info and /Encrypt for the trailer
    xref_stream: bool
    lists: dict[str, tuple[int, ...]]  # lines slot name -> the objects its placeholder lists


def cut(data: Buffer, slots: Slots) -> Cut:
    """Find the slots in qpdf's output and cut out them, the tail and the old xref."""
    xref = read_xref(data)
    offsets = xref.offsets()
    spans = _spans(offsets, xref.start)
    found, root, pages = _locate(data, xref, spans, slots)
    tail_numbers = [root, pages]
    moved = set(found.values()) | set(tail_numbers)
    if xref.is_stream:
        moved.add(xref.stream_number)
    if any(number not in offsets for number in moved):
        raise StampError("the stamp could not be laid out (a slot sits in an object stream)")
    cuts = sorted(spans[n] for n in moved)
    refs = b"/Root %d 0 R /Info %d 0 R" % (root, found["info"])
    encrypt = xref.ref("Encrypt")
    if encrypt is not None:
        refs += b" /Encrypt %d 0 R" % encrypt
    return Cut(
        kept=tuple(r for r in _kept(cuts, xref.start) if r[1] > r[0]),
        rows=_shifted_rows(xref, offsets, moved, cuts),
        slots=found,
        tail=tuple((n, bytes(data[slice(*spans[n])])) for n in tail_numbers),
        trailer_refs=refs,
        xref_stream=xref.is_stream,
        lists={
            name: tuple(int(m.group(1)) for m in _REF.finditer(data[slice(*spans[number])]))
            for name, number in found.items()
            if name in slots.lines
        },
    )


def _locate(
    data: Buffer, xref: Xref, spans: dict[int, tuple[int, int]], slots: Slots
) -> tuple[dict[str, int], int, int]:
    """The object numbers qpdf gave the slots, the catalog and the page tree root."""
    found: dict[str, int] = {}
    for number, (start, stop) in spans.items():
        head = bytes(data[start : min(stop, start + 200)])
        if SLOT_KEY.encode() in head and (match := _SLOT.search(head)) is not None:
            found[match.group(1).decode()] = number
    root = xref.ref("Root")
    if root is None or root not in spans:
        raise StampError("the stamp could not be laid out (no catalog)")
    catalog = bytes(data[slice(*spans[root])])
    # pikepdf writes the XMP stream anew on save (its own dictionary): found by reference.
    found["metadata"] = _catalog_ref(catalog, b"Metadata")
    missing = set(slots.named()) - set(found)
    if missing:
        raise StampError(f"the stamp could not be laid out ({', '.join(sorted(missing))} lost)")
    return found, root, _catalog_ref(catalog, b"Pages")


def _catalog_ref(catalog: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+)\s+0\s+R", catalog)
    if found is None:
        raise StampError(f"the stamp could not be laid out (no /{key.decode()} in the catalog)")
    return int(found.group(1))


def _spans(offsets: dict[int, int], end: int) -> dict[int, tuple[int, int]]:
    """Byte range of every object qpdf wrote outside object streams."""
    starts = sorted((offset, n) for n, offset in offsets.items())
    bounds = [offset for offset, _ in starts[1:]] + [end]
    return {n: (start, stop) for (start, n), stop in zip(starts, bounds, strict=True)}


def _kept(cuts: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """The byte ranges left between the cut-out ones, up to `end` (the old xref)."""
    kept, position = [], 0
    for start, stop in cuts:
        kept.append((position, start))
        position = stop
    kept.append((position, end))
    return kept


def _shifted_rows(
    xref: Xref, offsets: dict[int, int], moved: set[int], cuts: list[tuple[int, int]]
) -> bytes:
    """The plan's rows: moved objects free, every other offset moved up past the cuts."""
    starts = [start for start, _ in cuts]
    removed = list(accumulate(stop - start for start, stop in cuts))
    entries: dict[int, Entry] = {}
    for number, offset in offsets.items():
        if number not in moved:
            before = bisect_right(starts, offset)
            entries[number] = (1, offset - (removed[before - 1] if before else 0), 0)
    if xref.is_stream:
        rows = bytearray(xref.rows)
        for number in moved:
            rows[7 * number : 7 * number + 7] = bytes(7)
        for number, entry in entries.items():
            rows[7 * number : 7 * number + 7] = encode_row(number, entry, True)
        return bytes(rows)
    return encode_rows([entries.get(n, (0, 0, 0)) for n in range(xref.size)], False)
