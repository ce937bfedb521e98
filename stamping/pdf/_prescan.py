"""Before qpdf opens a PDF: what it would inflate on its own, and how many objects it would hold.

qpdf inflates a whole object stream into memory to read one object in it,
and a cross-reference stream to open the file; neither can be capped from
pikepdf. Both are top-level stream objects (ISO 32000-2, 7.5.7: an object
stream cannot hold a stream), so their dictionaries can be found in the raw
bytes: each is inflated here first, within the limits, and thrown away. The
objects counted are the top-level `N G obj` headers plus what each object
stream says it holds (/N); qpdf keeps every one in memory.
"""

from __future__ import annotations

import mmap
import re
import zlib

from stamping.limits import Budget, LimitExceeded

# (?<!\d): a match starts only where a number does, or a long run of digits (in a hex
# stream, say) would be tried from each of its digits: quadratic.
_HEADER = re.compile(rb"(?<!\d)\d+[ \t\r\n\f\0]+\d+[ \t\r\n\f\0]+obj\b")
# Where a stream's data starts: the end of its dictionary, `stream` and an end-of-line
# (7.3.8.1). Its dictionary is found backwards from there, up to the `obj` that opens it:
# matched forwards from every `obj`, a lazy pattern would scan kilobytes past each of a
# hundred thousand plain objects.
_DATA = re.compile(rb">>[ \t\r\n\f\0]*stream(?:\r\n|\n|\r)")
_NUMBER = re.compile(rb"(\d+)\s+\d+\s+$")
_WINDOW = 4096  # bytes of dictionary looked at: an object stream's or xref stream's is short
_OWN = re.compile(rb"/Type\s*/(ObjStm|XRef)\b")
_COUNT = re.compile(rb"/N\s+(\d+)")
_FLATE_ONLY = re.compile(rb"/Filter\s*(?:/FlateDecode|\[\s*/FlateDecode\s*\])")


def prescan(data: bytes | mmap.mmap, budget: Budget) -> None:
    """Refuse, in words naming the limit, a PDF whose own structure is a bomb."""
    objects = 0
    for _ in _HEADER.finditer(data):
        objects += 1
        if objects > budget.limits.objects:
            raise _too_many(budget)
    for match in _DATA.finditer(data):
        window = bytes(data[max(0, match.start() - _WINDOW) : match.start()])
        opened = window.rfind(b"obj")
        number = _NUMBER.search(window, max(0, opened - 24), max(opened, 0))
        entries = window[opened + 3 :]
        kind = _OWN.search(entries) if opened >= 0 else None
        if kind is None or number is None:
            continue
        budget.tick("this PDF")
        count = _COUNT.search(entries)
        objects += int(count.group(1)) if count and kind.group(1) == b"ObjStm" else 0
        if objects > budget.limits.objects:
            raise _too_many(budget)
        if _FLATE_ONLY.search(entries):
            _measure(data, match.end(), budget, f"this PDF's object {int(number.group(1))}")


def _measure(data: bytes | mmap.mmap, start: int, budget: Budget, what: str) -> None:
    """Inflate a stream starting at `start` as qpdf would, and forget it (a bad one is qpdf's
    to report)."""
    stream = zlib.decompressobj()
    most, limit = budget.allowed(len(data) - start)
    out, at, step = 0, start, 1 << 20
    with memoryview(data) as view:  # released before the caller closes a mapped file
        try:
            while at < len(view) and not stream.eof and out <= most:
                out += len(stream.decompress(view[at : at + step], most + 1 - out))
                while stream.unconsumed_tail and out <= most:
                    out += len(stream.decompress(stream.unconsumed_tail, most + 1 - out))
                at += step
        except zlib.error:
            return
    if out > most:
        raise budget.refuse(what, limit, at - start)
    budget.charge(out, what)


def _too_many(budget: Budget) -> LimitExceeded:
    return LimitExceeded(f"this PDF has more than {budget.limits.objects:,} objects", "objects")
