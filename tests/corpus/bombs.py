"""Compressed data that inflates to far more than it is, built in a second without holding it.

A deflate stream of one chunk repeated: after a full flush the compressor
forgets what came before, so every later chunk compresses to the same bytes
(zlib.h, Z_FULL_FLUSH), which are repeated instead of recomputed. 1 GiB of
`q Q` costs half a second and about 1 MB here. The checksum (Adler-32 for a
zlib stream, CRC-32 for a zip entry) is computed over the repeated chunk as it
would be over the whole.
"""

from __future__ import annotations

import struct
import zlib

MiB = 1 << 20
GiB = 1 << 30
CHUNK = 1 * MiB


def deflated(chunk: bytes, times: int, *, raw: bool = False, prefix: bytes = b"") -> bytes:
    """`prefix`, then `chunk` repeated `times` times, deflated: a zlib stream, or raw deflate
    for a zip entry."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15 if raw else 15)
    parts = [c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)] if prefix else []
    parts.append(c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH))
    unit = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) if times > 1 else b""
    tail = c.flush()
    data = b"".join(parts) + unit * (times - 1) + (tail if raw else tail[:-4])
    if raw:
        return data
    adler = zlib.adler32(prefix)
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return data + adler.to_bytes(4, "big")


def crc_of(chunk: bytes, times: int) -> int:
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return crc


def pattern(text: bytes, size: int = CHUNK) -> bytes:
    """`text` repeated to `size` bytes exactly (a whole number of copies where it divides)."""
    return (text * (size // len(text) + 1))[:size]


# --- zip archives written entry by entry (zipfile would deflate 1 GiB to write it) ---

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class ZipEntry:
    """One entry: its name, its stored bytes, and what the directory declares about them."""

    def __init__(self, name: str, data: bytes, *, method: int = 8, crc: int = 0, size: int = 0):
        self.name, self.data, self.method, self.crc, self.size = name, data, method, crc, size

    @classmethod
    def text(cls, name: str, body: bytes) -> ZipEntry:
        """A small entry, deflated."""
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(name, c.compress(body) + c.flush(), crc=zlib.crc32(body), size=len(body))

    @classmethod
    def stored(cls, name: str, body: bytes) -> ZipEntry:
        return cls(name, body, method=0, crc=zlib.crc32(body), size=len(body))

    @classmethod
    def bomb(cls, name: str, chunk: bytes, times: int) -> ZipEntry:
        """An entry that inflates to `chunk` x `times`, with honest sizes and CRC."""
        data = deflated(chunk, times, raw=True)
        return cls(name, data, crc=crc_of(chunk, times), size=len(chunk) * times)


def write_zip(entries: list[ZipEntry], comment: bytes = b"") -> bytes:
    """The entries in order, with a central directory listing each as given (duplicates too)."""
    out, directory = bytearray(), bytearray()
    for e in entries:
        name = e.name.encode()
        offset = len(out)
        fields = (20, 0x800, e.method, 0, 0x21, e.crc, len(e.data), e.size, len(name), 0)
        out += _LOCAL.pack(b"PK\x03\x04", *fields) + name + e.data
        directory += _CENTRAL.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + name
    end = _END.pack(
        b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), len(comment)
    )
    return bytes(out + directory + end + comment)
