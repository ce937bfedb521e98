"""A lenient look for bookmarks in a damaged file, to tell when qpdf's repair lost the outline.

qpdf rebuilds a broken cross-reference table by scanning the file for
objects, but not inside object streams: when the cross-reference stream that
indexed them is the damaged part (an xref loop, a compressed xref inside an
object stream), the outline items stored there vanish and the repaired book
opens without bookmarks. MuPDF and pypdf still find them. This scan counts
what looks like an outline item (a dictionary with /Title and /Parent) in the
file's bytes and in every object stream it can inflate, so the preflight can
say that copies would lose the outline instead of calling the book clean,
and the stamp can note it.

A repair can also lose an outline the file still holds in plain sight: qpdf
honours the free entries of a cross-reference section it read before it found
the chain looping (qpdf's append-xref-loop.pdf), where poppler and MuPDF,
which rebuild such a file from its objects, show the bookmarks. `rescan`
gives qpdf the file with its last startxref hidden, so it rebuilds the table
from the objects alone, the last definition of each winning.
"""

from __future__ import annotations

import mmap
import re
import zlib

_ITEM = re.compile(rb"/Title\s*[(<]")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
_STREAM = re.compile(rb"stream\r?\n")
_WINDOW = 400  # bytes around a /Title where the item's /Parent must be
_MAX_INFLATED = 64 * 2**20  # a zip bomb in a damaged file stays a damaged file


Buffer = bytes | mmap.mmap


def lost_outline(found: int) -> str:
    """What the author is told when a repair left copies without the outline's `found` items."""
    return (
        f"the file holds about {found} bookmarks, but repairing its damaged "
        "cross-references lost the outline: copies have none "
        "(export the book again to keep it)"
    )


def rescan(data: Buffer) -> bytes:
    """The file with its last startxref hidden, for qpdf to rebuild from the objects alone."""
    at = data.rfind(b"startxref")
    return bytes(data[:at]) + b"startxxxx" + bytes(data[at + 9 :]) if at >= 0 else bytes(data)


def outline_items_in(data: Buffer) -> int:
    """About how many outline items the file's bytes hold, object streams included."""
    return _count(data) + sum(_count(inflated) for inflated in _object_streams(data))


def _count(data: Buffer) -> int:
    found = 0
    for match in _ITEM.finditer(data):
        window = data[max(0, match.start() - _WINDOW) : match.end() + _WINDOW]
        found += b"/Parent" in window
    return found


def _object_streams(data: Buffer) -> list[bytes]:
    """The inflated data of every object stream that inflates; broken ones are skipped."""
    out, budget = [], _MAX_INFLATED
    for match in _OBJECT_STREAM.finditer(data):
        start = _STREAM.search(data, match.end(), match.end() + 4096)
        if start is None:
            continue
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[start.end() : start.end() + budget], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        out.append(inflated)
        if budget <= 0:
            break
    return out
