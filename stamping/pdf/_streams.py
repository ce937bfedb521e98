"""Reading a PDF stream's decoded bytes within the limits (stamping/limits.py).

qpdf decodes a stream whole into memory, and offers no cap to pikepdf (its
Pl_Flate::memory_limit is a C++ static, set only by its fuzzers). So the
engine decodes what it reads itself: the ASCII filters (which only shrink)
with the standard library, Flate with zlib's `max_length`, so a bomb is
refused after the limit plus one byte. Anything left (a predictor, LZW,
RunLength) is handed to qpdf only when the worst its filters can do to the
bytes known so far stays within the limits: LZW's 12-bit codes stand for at
most 4096 bytes each (ISO 32000-2, 7.4.4), a RunLength pair for 128.

`read_stream` is for everything the engine decodes: page content, XMP,
CMaps. Images and fonts are never decoded: qpdf copies them as they are.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import pikepdf

from stamping.limits import LimitExceeded, current, size

# The most each filter's output can be, per input byte; absent: the filter shrinks or keeps.
_WORST = {"/LZWDecode": 4096 * 8 // 9, "/RunLengthDecode": 64, "/FlateDecode": 1032}
_SHRINKING = {"/ASCIIHexDecode", "/ASCII85Decode"}


def read_stream(stream: pikepdf.Stream, what: str) -> bytes:
    """The stream's decoded bytes; LimitExceeded past a limit, pikepdf.PdfError if undecodable
    (as qpdf's own decoding raises)."""
    budget = current()
    budget.tick(what)
    filters = _names(stream.get("/Filter"))
    params = stream.get("/DecodeParms")
    if not filters:
        data = bytes(stream.read_raw_bytes())
        budget.check_declared(what, len(data), len(data))
        budget.charge(len(data), what)
        return data
    declared = stream.get("/DL")
    if isinstance(declared, int) and declared > budget.limits.stream:
        raise LimitExceeded(
            f"{what} declares {size(declared)}, past {size(budget.limits.stream)}", "stream"
        )
    data = bytes(stream.read_raw_bytes())
    done = 0
    for name in filters:
        if name in _SHRINKING:
            data = _ascii(name, data, what)
        elif name == "/FlateDecode" and not _has_params(params, done):
            try:
                data = budget.inflate(data, what)
            except zlib.error as exc:
                raise pikepdf.PdfError(f"{what} cannot be inflated: {exc}") from None
        else:
            break
        done += 1
    if done == len(filters):
        return data
    worst = len(data)
    for name in filters[done:]:
        worst *= _WORST.get(name, 1)
    budget.check_declared(what, len(data), worst)
    decoded = bytes(stream.read_bytes())  # bounded above: qpdf may decode it whole
    budget.charge(len(decoded), what)
    return decoded


def _names(value: object) -> list[str]:
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value if isinstance(v, pikepdf.Name)]
    return []


def _has_params(params: object, index: int) -> bool:
    """Does the filter at `index` have decode parameters (a predictor)?"""
    if isinstance(params, pikepdf.Array):
        params = params[index] if index < len(params) else None
    return isinstance(params, pikepdf.Dictionary) and len(params.keys()) > 0


_WHITE = re.compile(rb"[\x00\t\n\x0c\r ]+")


def _ascii(name: str, data: bytes, what: str) -> bytes:
    text = _WHITE.sub(b"", data)
    try:
        if name == "/ASCIIHexDecode":
            text = text.split(b">", 1)[0]
            return binascii.unhexlify(text + b"0" * (len(text) % 2))
        text = text.split(b"~>", 1)[0]
        return base64.a85decode(text.removeprefix(b"<~"))
    except (ValueError, binascii.Error) as exc:
        raise pikepdf.PdfError(f"{what} cannot be decoded: {exc}") from None


PARSED_AT_MOST = 8 << 20  # bytes of content parsed in full (a parse holds ~20 times that)


def parsable(holder: pikepdf.Object, what: str) -> pikepdf.Object | None:
    """What of a page's (or a form's) content to hand qpdf's parser, read within the limits
    first: all of it, or past PARSED_AT_MOST only its last stream (where a stamp draws), or
    None. pikepdf.PdfError if a stream cannot be decoded."""
    if isinstance(holder, pikepdf.Stream):
        return holder if len(read_stream(holder, what)) <= PARSED_AT_MOST else None
    contents = holder.get("/Contents")
    streams = [
        s
        for s in (contents if isinstance(contents, pikepdf.Array) else [contents])
        if isinstance(s, pikepdf.Stream)
    ]
    sizes = [len(read_stream(s, what)) for s in streams]
    if sum(sizes) <= PARSED_AT_MOST:
        return holder
    return streams[-1] if sizes[-1] <= PARSED_AT_MOST else None
