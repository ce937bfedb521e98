"""Cross-reference tables: read the one qpdf wrote for a plan, write a fresh one per copy.

A plan's bytes are qpdf's output, so only what qpdf writes has to be read:
either a classic `xref` table with a `trailer` dictionary, or (when the book
has object streams) one cross-reference stream compressed with Flate and,
optionally, the PNG "Up" predictor. Each copy gets a complete new table of
the same kind, so it is a single-revision file: there is no earlier %%EOF to
cut back to.

Entries are (type, field 2, field 3) as in ISO 32000-1 7.5.8: type 1 is an
object at a byte offset, type 2 an object inside an object stream (stream
number, index), type 0 a free entry.
"""

from __future__ import annotations

import mmap
import re
import zlib
from dataclasses import dataclass
from itertools import accumulate

Entry = tuple[int, int, int]

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_REF = rb"(\d+)\s+(\d+)\s+R"


class XrefError(ValueError):
    """The bytes are not a cross-reference section of the shape qpdf writes."""


@dataclass(frozen=True)
class Xref:
    """One cross-reference section, every entry as a row of the /W [1 4 2] layout."""

    rows: bytes  # 7 bytes per object number 0..size-1: type, offset or stream, generation or index
    trailer: bytes  # the trailer dictionary's text (classic) or the stream's dictionary
    start: int  # offset of the table (or of the xref stream object)
    is_stream: bool
    stream_number: int = 0  # the xref stream's own object number, when is_stream

    @property
    def size(self) -> int:
        return len(self.rows) // 7

    def entry(self, number: int) -> Entry:
        if not 0 <= number < self.size:
            return (0, 0, 0)
        row = self.rows[7 * number : 7 * number + 7]
        return row[0], int.from_bytes(row[1:5], "big"), int.from_bytes(row[5:7], "big")

    def offsets(self) -> dict[int, int]:
        """Object number -> byte offset, for every object outside object streams."""
        kinds = self.rows[0::7]
        return {
            n: int.from_bytes(self.rows[7 * n + 1 : 7 * n + 5], "big")
            for n, kind in enumerate(kinds)
            if kind == 1
        }

    def ref(self, key: str) -> int | None:
        """The object number a trailer key (Root, Info, Encrypt) refers to."""
        found = re.search(rb"/" + key.encode() + rb"\s+" + _REF, self.trailer)
        return int(found.group(1)) if found else None


Buffer = bytes | mmap.mmap  # qpdf's output, in memory or mapped from its file


def read_xref(data: Buffer) -> Xref:
    """Parse the last cross-reference section of a file qpdf wrote; XrefError for any other
    shape (the caller has qpdf write the book again in the plainest one)."""
    tail = _STARTXREF.search(data[-64:])
    if tail is None:
        raise XrefError("no startxref at the end of the file")
    start = int(tail.group(1))
    try:
        if data[start : start + 4] == b"xref":
            return _read_table(data, start)
        return _read_stream(data, start)
    except XrefError:
        raise
    except (ValueError, IndexError, zlib.error) as exc:
        raise XrefError(f"the cross-reference section cannot be read ({exc})") from None


def _read_table(data: Buffer, start: int) -> Xref:
    entries: dict[int, Entry] = {}
    pos = start + len(b"xref")
    header = re.compile(rb"\s*(\d+)\s+(\d+)\s*?\r?\n")
    while True:
        match = header.match(data, pos)
        if match is None:
            break
        first, count = int(match.group(1)), int(match.group(2))
        pos = match.end()
        for n in range(count):
            row = data[pos + 20 * n : pos + 20 * n + 18]
            offset, generation, kind = int(row[:10]), int(row[11:16]), row[17:18]
            entries[first + n] = (1, offset, generation) if kind == b"n" else (0, 0, 0)
        pos += 20 * count
    trailer_at = data.find(b"trailer", pos)
    end = data.find(b"startxref", trailer_at)
    if trailer_at < 0 or end < 0:
        raise XrefError("no trailer after the xref table")
    size = max(entries, default=-1) + 1
    rows = b"".join(encode_row(n, entries.get(n, (0, 0, 0)), True) for n in range(size))
    return Xref(rows, bytes(data[trailer_at + len(b"trailer") : end]).strip(), start, False)


def _read_stream(data: Buffer, start: int) -> Xref:
    head = re.compile(rb"(\d+)\s+0\s+obj\s*(<<.*?>>)\s*stream\r?\n", re.S).match(data, start)
    if head is None:
        raise XrefError("startxref points at neither a table nor a stream")
    number, dictionary = int(head.group(1)), bytes(head.group(2))
    length = _integer(dictionary, b"Length")
    raw = zlib.decompress(data[head.end() : head.end() + length])
    found_widths = re.search(rb"/W\s*\[([\d\s]+)\]", dictionary)
    if found_widths is None:
        raise XrefError("the cross-reference stream has no /W")
    widths = [int(w) for w in found_widths.group(1).split()]
    predictor = re.search(rb"/Predictor\s+(\d+)", dictionary)
    columns = _columns(raw, sum(widths), predictor is not None and int(predictor.group(1)) >= 10)
    rows = _as_rows(columns, widths)
    size = _integer(dictionary, b"Size")
    index = re.search(rb"/Index\s*\[([\d\s]+)\]", dictionary)
    numbers = [int(v) for v in index.group(1).split()] if index else [0, size]
    if numbers != [0, size]:
        rows = _spread(rows, numbers, size)
    return Xref(bytes(rows), dictionary, start, True, number)


def _columns(raw: bytes, width: int, predicted: bool) -> list[bytes]:
    """Each byte column of the rows, with qpdf's PNG "Up" predictor undone.

    Up adds each byte to the one above it, so a decoded column is the running
    sum of its raw column modulo 256: done with C-level iterators, because a
    big book has over a hundred thousand rows.
    """
    if not predicted:
        return [raw[j::width] for j in range(width)]
    stride = width + 1
    filters = set(raw[0::stride])
    if not filters <= {2}:
        raise XrefError(f"PNG predictor filters {sorted(filters)} in a cross-reference stream")
    return [bytes(map((255).__and__, accumulate(raw[1 + j :: stride]))) for j in range(width)]


def _as_rows(columns: list[bytes], widths: list[int]) -> bytearray:
    """Byte columns of rows with `widths` re-laid as 7-byte /W [1 4 2] rows."""
    count = len(columns[0]) if columns else 0
    rows = bytearray(7 * count)
    if widths[0] == 0:
        rows[0::7] = b"\x01" * count  # a missing type field means type 1
    layout = [(0, widths[0], 1), (widths[0], widths[1], 4), (widths[0] + widths[1], widths[2], 2)]
    base = 0
    for first_column, width, target in layout:
        if width > target and any(any(columns[first_column + k]) for k in range(width - target)):
            raise XrefError("a cross-reference field is too wide for this file")
        for k in range(min(width, target)):
            column = columns[first_column + width - 1 - k]  # from the lowest byte up
            rows[base + target - 1 - k :: 7] = column
        base += target
    return rows


def _spread(rows: bytearray, numbers: list[int], size: int) -> bytearray:
    """Rows of /Index subsections placed at their object numbers; the gaps free."""
    spread = bytearray(7 * size)
    taken = 0
    for first, count in zip(numbers[::2], numbers[1::2], strict=True):
        spread[7 * first : 7 * (first + count)] = rows[7 * taken : 7 * (taken + count)]
        taken += count
    return spread


def _integer(dictionary: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+)", dictionary)
    if found is None:
        raise XrefError(f"the cross-reference stream has no /{key.decode()}")
    return int(found.group(1))


def row_size(is_stream: bool) -> int:
    """Bytes per entry: 7 in a stream with /W [1 4 2], 20 in a classic table."""
    return 7 if is_stream else 20


def encode_row(number: int, entry: Entry, is_stream: bool) -> bytes:
    """One entry as a cross-reference stream row or a classic table line."""
    kind, f2, f3 = entry
    if is_stream:
        return kind.to_bytes(1, "big") + f2.to_bytes(4, "big") + min(f3, 0xFFFF).to_bytes(2, "big")
    if kind == 1:
        return b"%010d %05d n \n" % (f2, f3)
    return b"0000000000 %05d f \n" % (65535 if number == 0 else 0)


def encode_rows(entries: list[Entry], is_stream: bool) -> bytes:
    """Rows for objects 0..n-1, in number order."""
    return b"".join(encode_row(n, entry, is_stream) for n, entry in enumerate(entries))


def table_section(rows: bytes, count: int, trailer: bytes, start: int) -> bytes:
    """A classic table for objects 0..count-1, the trailer and startxref."""
    return (
        b"xref\n0 %d\n" % count
        + rows
        + b"trailer\n"
        + trailer
        + b"\nstartxref\n%d\n%%%%EOF\n" % start
    )


def stream_section(number: int, rows: bytes, trailer: bytes, start: int) -> bytes:
    """The xref stream object (its dictionary is also the trailer), then startxref."""
    body = zlib.compress(rows, 1)  # per copy: speed over the last percent of size
    dictionary = b"<< /Type /XRef /W [ 1 4 2 ] /Filter /FlateDecode /Length %d %s >>" % (
        len(body),
        trailer,
    )
    return (
        b"%d 0 obj\n%s\nstream\n" % (number, dictionary)
        + body
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
