"""Deflating a marked document in segments: the parts no buyer changes are deflated once per book.

A deflate stream may be cut into segments that each start afresh and end on
a byte boundary (a sync flush: an empty stored block), as pigz does; joined
in order, with only the last one final, they are one valid stream. A marked
document is head | opening | content | tail | end (documents.Split): the
three static parts are deflated once and kept in a small cache keyed by the
original entry's name, CRC and size (a hit must also match its compressed
bytes); the buyer's opening and tail, a few hundred bytes, go in as stored
blocks, and the CRC-32 is combined from the parts' (crc.py). So each further
copy of a book costs neither compression nor a pass over its text: the
worker stamps one original for every buyer.
"""

from __future__ import annotations

import codecs
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, replace

import stamping.epub.xmltext as xmltext
from stamping.epub.crc import combine, shift
from stamping.epub.documents import Split

LEVEL = 6
CACHE_BYTES = 64 * 1024 * 1024  # originals' and deflated parts' bytes kept across copies
_STORED_MAX = 0xFFFF
# Fragments are encoded without a BOM; the head carries the document's own.
_BOMLESS = {"utf-8-sig": ("utf-8", codecs.BOM_UTF8), "utf-16": ("utf-16-le", codecs.BOM_UTF16_LE)}
_SEGMENTABLE = {"utf-8", "utf8", "ascii", "us-ascii", "utf-8-sig", "utf-16"}


@dataclass(frozen=True)
class Part:
    """A static part: deflated (a segment), its CRC, size and CRC shift (crc.shift)."""

    packed: bytes
    crc: int
    size: int
    shift: int
    plain: bytes = b""  # kept for the short end of a document only


@dataclass(frozen=True)
class Prepared:
    """A document's static parts, deflated; the codec its buyer fragments are encoded in."""

    source: bytes  # the original entry's compressed bytes: a cache hit must match them
    split: Split
    codec: str
    head: Part
    content: Part
    end: Part
    piecewise: bool = True  # False: an encoding that cannot be encoded in pieces (deflated whole)

    @property
    def weight(self) -> int:
        parts = (self.head, self.content, self.end)
        return len(self.source) + sum(len(p.packed) + len(p.plain) for p in parts)


@dataclass(frozen=True)
class Packed:
    """An entry ready for the zip writer: deflate chunks, CRC-32 and plain size."""

    chunks: tuple[bytes, ...]
    crc: int
    size: int


# name, CRC-32, size, EPUB 3, SVG, the footer's CSS href, the footer in the last section
Key = tuple[str, int, int, bool, bool, str | None, bool]


class _Cache:
    """Least recently used Prepared documents, up to CACHE_BYTES; safe across worker threads."""

    def __init__(self) -> None:
        self._items: OrderedDict[Key, Prepared] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Prepared | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._weight = 0

    def put(self, key: Key, prepared: Prepared) -> None:
        with self._lock:
            if key in self._items or not prepared.piecewise or prepared.weight > CACHE_BYTES // 4:
                return
            self._items[key] = prepared
            self._weight += prepared.weight
            while self._weight > CACHE_BYTES:
                _, old = self._items.popitem(last=False)
                self._weight -= old.weight


CACHE = _Cache()
_EMPTY = Part(b"", 0, 0, 0)


def prepare(split: Split, source: bytes) -> Prepared:
    """Encode and deflate the static parts of a split document (from `source`, for the cache)."""
    if split.codec.lower() not in _SEGMENTABLE:
        return Prepared(source, split, split.codec, _EMPTY, _EMPTY, _EMPTY, piecewise=False)
    codec, bom = _BOMLESS.get(split.codec.lower(), (split.codec, b""))
    head = bom + xmltext.encode(split.head, codec)
    content = xmltext.encode(split.content, codec)
    end = xmltext.encode(split.end, codec)
    last = replace(_deflated(end, final=True), plain=end)
    return Prepared(source, split, codec, _deflated(head), _deflated(content), last)


def pack(prepared: Prepared, opening: str, tail: str) -> Packed:
    """The whole marked document as deflate chunks, with its CRC and size."""
    if not prepared.piecewise:
        return _pack_whole(prepared.split, opening, tail)
    first = xmltext.encode(opening, prepared.codec)
    second = xmltext.encode(tail, prepared.codec)
    head, content, end = prepared.head, prepared.content, prepared.end
    crc = zlib.crc32(first, head.crc)
    crc = zlib.crc32(second, combine(crc, content.crc, content.shift))
    crc = zlib.crc32(end.plain, crc)  # a few bytes: hashing beats combining
    chunks = (
        prepared.head.packed,
        _stored(first),
        prepared.content.packed,
        _stored(second),
        prepared.end.packed,
    )
    return Packed(chunks, crc, head.size + len(first) + content.size + len(second) + end.size)


def _pack_whole(split: Split, opening: str, tail: str) -> Packed:
    """A document in an encoding that cannot be encoded piecewise: deflated whole, each time."""
    whole = split.head + opening + split.content + tail + split.end
    return pack_bytes(xmltext.encode(whole, split.codec))


def pack_bytes(data: bytes) -> Packed:
    """Any entry's new bytes, deflated whole."""
    part = _deflated(data, final=True)
    return Packed((part.packed,), part.crc, part.size)


def _deflated(data: bytes, *, final: bool = False) -> Part:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    packed = packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return Part(packed, zlib.crc32(data), len(data), shift(len(data)) if not final else 0)


def _stored(data: bytes) -> bytes:
    """Raw stored deflate blocks (not final), starting and ending on a byte boundary."""
    out = bytearray()
    for at in range(0, len(data), _STORED_MAX):
        block = data[at : at + _STORED_MAX]
        out += b"\x00" + struct.pack("<HH", len(block), len(block) ^ 0xFFFF) + block
    return bytes(out)
