"""From the bytes a content stream shows to Unicode text, for one font: what trace reads.

Enough of PDF's text model to read stamp codes back from any copy, whoever
rewrote it: a font's /ToUnicode CMap when it has one (reportlab's footer,
and most producers), else a simple font's encoding (WinAnsi, or /Differences
named by the Adobe Glyph List, as ghostscript writes them). A composite font
without a ToUnicode map cannot be read without its font program, and reads as
nothing. Assumes nothing about the producer; never raises on a broken font.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pikepdf
from fontTools import agl

from stamping.pdf._streams import read_stream

Decoder = Callable[[bytes], str]

_HEX = rb"<([0-9A-Fa-f\s]*)>"
_SECTION = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.S)
_CHAR = re.compile(_HEX + rb"\s*" + _HEX)
_RANGE = re.compile(_HEX + rb"\s*" + _HEX + rb"\s*(?:" + _HEX + rb"|\[(.*?)\])", re.S)


def font_decoder(font: object) -> Decoder:
    """A function turning shown bytes into text for this font (a null font reads Latin-1)."""
    if not isinstance(font, pikepdf.Dictionary):
        return _latin1
    try:
        to_unicode = font.get("/ToUnicode")
        if isinstance(to_unicode, pikepdf.Stream):
            return _cmap_decoder(read_stream(to_unicode, "a font's ToUnicode"), _composite(font))
        if _composite(font):
            return lambda _data: ""
        return _simple_decoder(font.get("/Encoding"))
    except (pikepdf.PdfError, ValueError, RecursionError):
        return _latin1


def _composite(font: pikepdf.Dictionary) -> bool:
    return font.get("/Subtype") == pikepdf.Name.Type0


def _latin1(data: bytes) -> str:
    return data.decode("cp1252", "replace")


def _hex(text: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", text).decode("ascii"))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace")


def _cmap_decoder(cmap: bytes, composite: bool) -> Decoder:
    """Decode through a ToUnicode CMap's bfchar and bfrange entries."""
    table: dict[bytes, str] = {}
    lengths: set[int] = set()
    for kind, body in _SECTION.findall(cmap):
        if kind == b"codespacerange":
            lengths.update(len(_hex(lo)) for lo, _ in _CHAR.findall(body))
        elif kind == b"bfchar":
            table.update((_hex(src), _utf16(_hex(dst))) for src, dst in _CHAR.findall(body))
        else:
            for lo, hi, dst, array in _RANGE.findall(body):
                _add_range(table, _hex(lo), _hex(hi), dst, array)
    if not lengths:
        lengths = {len(code) for code in table} or {2 if composite else 1}
    widths = sorted(lengths, reverse=True)

    def decode(data: bytes) -> str:
        out, at = [], 0
        while at < len(data):
            width = next((w for w in widths if data[at : at + w] in table), widths[-1])
            out.append(table.get(data[at : at + width], ""))
            at += width
        return "".join(out)

    return decode


def _add_range(table: dict[bytes, str], lo: bytes, hi: bytes, dst: bytes, array: bytes) -> None:
    start, stop = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
    if stop - start > 0xFFFF:
        return  # not a real font's range: refuse to build a huge table
    width = len(lo)
    if array:
        targets = [_utf16(_hex(t)) for t in re.findall(_HEX, array)]
        for offset, target in enumerate(targets[: stop - start + 1]):
            table[(start + offset).to_bytes(width, "big")] = target
        return
    first = _hex(dst)
    base = int.from_bytes(first, "big")
    for offset in range(stop - start + 1):
        code = (start + offset).to_bytes(width, "big")
        table[code] = _utf16((base + offset).to_bytes(max(len(first), 2), "big"))


def _simple_decoder(encoding: object) -> Decoder:
    """WinAnsi (close enough to Standard for letters and digits) plus any /Differences."""
    differences = encoding.get("/Differences") if isinstance(encoding, pikepdf.Dictionary) else None
    if not isinstance(differences, pikepdf.Array):
        return _latin1
    mapped: dict[int, str] = {}
    code = 0
    for item in differences:
        if isinstance(item, int):
            code = int(item)
        elif isinstance(item, pikepdf.Name):
            mapped[code] = agl.toUnicode(str(item)[1:]) or ""
            code += 1
    if not mapped:
        return _latin1
    return lambda data: "".join(mapped.get(b) or _latin1(bytes([b])) for b in data)
