"""A small zip writer that copies untouched entries as they are and deflates only new ones.

zipfile can only write what it compresses itself, which would inflate and
deflate every image and font of the book. This writer emits the archive
itself (APPNOTE 4.3): an untouched entry is its original local record and
directory record, byte for byte but for the offset; a rewritten or new one
gets headers with the sizes in the local header (no data descriptor) and no
extra fields, which makes `mimetype` first, stored and bare, as OCF requires.
Rewritten entries keep their name and its encoding flag, time, attributes
and comment.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from stamping.epub.archive import DEFLATED, STORED, Entry
from stamping.stamp import StampError

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_KEEP_FLAGS = 0x0806  # UTF-8 names and the deflate level hint; never encryption or descriptors
_LIMIT = 0xFFFFFFFF
_OFFSET_AT = 42  # of the local header's offset in a directory record
LEVEL = 6  # zlib's default, for the few small entries written whole (the OPF, the page)


def new_entry(name: str, like: Entry | None) -> Entry:
    """A new entry dated like `like` (the package document): the engine has no clock."""
    utf8 = not name.isascii()
    return Entry(
        name=name,
        raw_name=name.encode("utf-8" if utf8 else "ascii"),
        made_by=3 << 8 | 20,  # Unix, zip 2.0
        flags=0x800 if utf8 else 0,
        method=DEFLATED,
        dos_time=like.dos_time if like else 0,
        dos_date=like.dos_date if like else 1 << 5 | 1,  # 1980-01-01
        crc=0,
        compressed=0,
        size=0,
        internal_attr=0,
        external_attr=0o100644 << 16,
        comment=b"",
        offset=0,
    )


class RawZipWriter:
    """Collects entries in order; `finish` returns the whole archive, `finish_into` writes it."""

    def __init__(self) -> None:
        self._chunks: list[bytes | memoryview] = []
        self._central: list[bytes] = []
        self._offset = 0

    def copy(self, entry: Entry, record: memoryview) -> None:
        """Add an entry of the original as it is: its local record, and its directory record
        with only the offset changed (so extra fields, times and attributes all stay)."""
        if self._offset + len(record) >= _LIMIT:
            raise StampError("the stamped EPUB would need zip64, which is not supported")
        central = bytearray(entry.directory_record)
        struct.pack_into("<L", central, _OFFSET_AT, self._offset)
        self._chunks.append(record)
        self._central.append(bytes(central))
        self._offset += len(record)

    def deflated(self, entry: Entry, chunks: tuple[bytes, ...], crc: int, size: int) -> None:
        """Add an entry whose raw deflate stream (in chunks), CRC-32 and size are known."""
        compressed = sum(len(chunk) for chunk in chunks)
        self._add(entry._replace(method=DEFLATED, crc=crc, size=size), chunks, compressed)

    def write(self, entry: Entry, data: bytes, *, compress: bool = True) -> None:
        """Add an entry from its plain bytes, deflated unless `compress` is false."""
        if compress:
            packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
            body, method = packer.compress(data) + packer.flush(), DEFLATED
        else:
            body, method = data, STORED
        done = entry._replace(method=method, crc=zlib.crc32(data), size=len(data))
        self._add(done, (body,), len(body))

    def _add(self, e: Entry, body: tuple[bytes | memoryview, ...], compressed: int) -> None:
        if max(e.size, compressed, self._offset) >= _LIMIT:
            raise StampError("the stamped EPUB would need zip64, which is not supported")
        flags, needs, name = e.flags & _KEEP_FLAGS, _needs(e.method), e.raw_name
        header = _LOCAL.pack(
            b"PK\x03\x04", needs, flags, e.method, e.dos_time, e.dos_date,
            e.crc, compressed, e.size, len(name), 0,
        )  # fmt: skip
        central = _CENTRAL.pack(
            b"PK\x01\x02", e.made_by, needs, flags, e.method, e.dos_time, e.dos_date,
            e.crc, compressed, e.size, len(name), 0, len(e.comment), 0,
            e.internal_attr, e.external_attr, self._offset,
        )  # fmt: skip
        self._chunks += [header, name, *body]
        self._central.append(central + name + e.comment)
        self._offset += len(header) + len(name) + compressed

    def finish(self, comment: bytes = b"") -> bytes:
        """The archive: entries, central directory, end record with `comment`."""
        return b"".join(self._parts(comment))

    def finish_into(self, out: BinaryIO, comment: bytes = b"") -> None:
        """Write the archive to `out` piece by piece: the untouched entries go straight from
        the original's buffer, with no joined copy of the whole book in between."""
        for part in self._parts(comment):
            out.write(part)

    def _parts(self, comment: bytes) -> Iterator[bytes | memoryview]:
        size, count, comment = sum(map(len, self._central)), len(self._central), comment[:0xFFFF]
        if self._offset + size >= _LIMIT or count >= 0xFFFF:
            raise StampError("the stamped EPUB would need zip64, which is not supported")
        end = _END.pack(b"PK\x05\x06", 0, 0, count, count, size, self._offset, len(comment))
        yield from self._chunks
        yield b"".join([*self._central, end, comment])


def _needs(method: int) -> int:
    """Version needed to extract: 1.0 for stored, 2.0 for deflate, else 6.3 (any method)."""
    return {STORED: 10, DEFLATED: 20}.get(method, 63)
