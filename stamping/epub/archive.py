"""Reading an EPUB's zip: its entries, their text, and their compressed bytes for copying as is.

The central directory is parsed here (APPNOTE 4.3.12, 4.3.16) rather than by
zipfile, which costs a millisecond of Python per book and hides the raw
fields the writer copies back. An entry the stamper leaves alone is never
inflated: `payload` slices its compressed bytes out of the original (after
the local header, whose own length fields say where the data starts).
Anything a hostile or broken zip can throw becomes a StampError. Zip64 and
zip encryption are refused: no EPUB needs them. The directory is checked
against the limits (stamping/limits.py) before any entry is inflated: the
number of entries, the sizes they declare and each one's ratio; an entry is
then inflated to at most its declared size, so a lie about it is damage.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

from stamping.limits import GRACE, LimitExceeded, current, size
from stamping.stamp import StampError

ZIP_MAGIC = b"PK\x03\x04"
STORED, DEFLATED = 0, 8
_LOCAL = struct.Struct("<4s5H3L2H")  # 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_END = struct.Struct("<4s4H2LH")  # 22 bytes


class Entry(NamedTuple):
    """One central directory record, with the raw fields the writer copies back.

    A NamedTuple, not a frozen dataclass: a book has hundreds, built on every copy.
    """

    name: str
    raw_name: bytes
    made_by: int
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed: int
    size: int
    internal_attr: int
    external_attr: int
    comment: bytes
    offset: int  # of the local header
    directory_record: bytes = b""  # the entry's central directory record, as the original has it


class Archive:
    """An EPUB's zip, read over the original's bytes (never copied)."""

    def __init__(self, data: bytes) -> None:
        if not data.startswith(ZIP_MAGIC):
            raise StampError("this file is not an EPUB (it is not a zip archive)")
        self.data = data
        self.view = memoryview(data)
        self.comment, self.entries, self.directory = _directory(data)
        check_entries(self.entries)
        self.by_name = {entry.name: entry for entry in self.entries}  # a repeated name: the last
        self.names = frozenset(self.by_name)

    def has(self, name: str) -> bool:
        return name in self.by_name

    def entry(self, name: str) -> Entry:
        try:
            return self.by_name[name]
        except KeyError:
            raise StampError(f"the EPUB has no {name}") from None

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The inflated bytes of one entry; StampError if missing or corrupt, LimitExceeded (one)
        past `limit` or STAMP_MAX_STREAM."""
        entry = self.entry(name)
        budget = current()
        most = limit or budget.limits.stream
        if entry.size > most:
            what = f"{name} unpacks to {size(entry.size)}, past {size(most)}"
            raise LimitExceeded(what, "stream")
        budget.charge(entry.size, f"this EPUB's {name}")
        payload = self.payload(entry)
        if entry.method == STORED:
            data = bytes(payload)
        elif entry.method == DEFLATED:
            try:
                data = zlib.decompressobj(-15).decompress(payload, entry.size + 1)
            except zlib.error as exc:
                raise StampError(f"{name} cannot be unpacked: {exc}") from None
        else:
            raise StampError(f"{name} uses zip compression method {entry.method}; re-zip the book")
        if len(data) != entry.size or zlib.crc32(data) != entry.crc:
            raise StampError(f"{name} is damaged (its size or CRC does not match)")
        return data

    def payload(self, entry: Entry) -> memoryview:
        """The entry's compressed bytes, exactly as stored in the original."""
        start, end = self._span(entry)
        return self.view[start:end]

    def local_record(self, entry: Entry) -> memoryview:
        """The entry as the original stores it: local header, data and any data descriptor."""
        _, end = self._span(entry)
        if entry.flags & 0x8:  # sizes follow the data (APPNOTE 4.3.9), signature optional
            end += 16 if self.data[end : end + 4] == b"PK\x07\x08" else 12
        return self.view[entry.offset : min(end, len(self.data))]

    def _span(self, entry: Entry) -> tuple[int, int]:
        try:
            magic, *_, name_len, extra_len = _LOCAL.unpack_from(self.data, entry.offset)
        except struct.error:
            raise StampError(f"{entry.name}: local header is cut off") from None
        start = entry.offset + _LOCAL.size + name_len + extra_len
        end = start + entry.compressed
        if magic != ZIP_MAGIC or end > len(self.data):
            raise StampError(f"{entry.name}: local header is damaged")
        return start, end


def check_directory(data: bytes) -> None:
    """LimitExceeded for a zip whose directory is past the limits; a damaged one passes (the
    caller's zip reader says what is wrong with it)."""
    try:
        _, entries, _ = _directory(data)
    except LimitExceeded:
        raise
    except StampError:
        return
    check_entries(entries)


def check_entries(entries: tuple[Entry, ...]) -> None:
    """What the directory declares, against the limits, before anything is inflated."""
    limits = current().limits
    total = sum(e.size for e in entries)
    if total > limits.zip_size:
        raise LimitExceeded(
            f"this EPUB's entries unpack to {size(total)}, past {size(limits.zip_size)}",
            "zip_size",
        )
    for e in entries:
        if e.method != STORED and e.size > max(GRACE, e.compressed * limits.ratio):
            raise LimitExceeded(
                f"this EPUB's {e.name} unpacks to {size(e.size)} from {size(e.compressed)}, "
                f"more than {limits.ratio} times",
                "ratio",
            )


def _directory(data: bytes) -> tuple[bytes, tuple[Entry, ...], bytes]:
    """The archive comment, every central directory entry in order, the directory's bytes."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 0xFFFF - _END.size))
    if at < 0 or at + _END.size > len(data):
        raise StampError("the EPUB's zip is damaged: no end of central directory")
    _, disk, _, _, count, length, start, comment_len = _END.unpack_from(data, at)
    most = current().limits.zip_entries
    if count > most:
        raise LimitExceeded(f"this EPUB's zip has more than {most:,} entries", "zip_entries")
    if disk != 0 or data.rfind(b"PK\x06\x07", max(0, at - 20), at) >= 0:
        raise StampError("the EPUB is a multi-part or zip64 archive; re-zip it as a plain zip")
    if start + length > at:
        raise StampError("the EPUB's zip is damaged: the central directory is cut off")
    entries, pos = [], start
    for _ in range(count):
        entry, pos = _entry(data, pos)
        entries.append(entry)
    comment = data[at + _END.size : at + _END.size + comment_len]
    return comment, tuple(entries), data[start:at]


def _entry(data: bytes, pos: int) -> tuple[Entry, int]:
    """The directory entry at `pos`, and where the next one starts."""
    try:
        fields = _CENTRAL.unpack_from(data, pos)
    except struct.error:
        raise StampError("the EPUB's zip is damaged: a directory entry is cut off") from None
    (magic, made_by, _, flags, method, time, date, crc, csize, usize) = fields[:10]
    name_len, extra_len, comment_len, _, internal, external, offset = fields[10:]
    if magic != b"PK\x01\x02":
        raise StampError("the EPUB's zip is damaged: a directory entry is unreadable")
    raw_name = data[pos + _CENTRAL.size : pos + _CENTRAL.size + name_len]
    tail = pos + _CENTRAL.size + name_len + extra_len
    name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
    if flags & 0x1:
        raise StampError(f"{name} is password-encrypted inside the zip; export the book without it")
    if 0xFFFFFFFF in (csize, usize, offset):
        raise StampError(f"{name} needs zip64; re-zip the book as a plain zip")
    end = tail + comment_len
    entry = Entry(
        name, raw_name, made_by, flags, method, time, date, crc, csize, usize,
        internal, external, data[tail:end], offset, data[pos:end],
    )  # fmt: skip
    return entry, end
