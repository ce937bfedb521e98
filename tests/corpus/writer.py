"""Writing small PDFs object by object, so a corpus case can be as broken as the file it copies.

qpdf and pikepdf repair what they write; these bytes are written by hand with a
classic cross-reference table, so the damage stays where the case puts it.
"""

from __future__ import annotations

import zlib

CONTENT = b"BT /F1 12 Tf 100 200 Td (Hello) Tj ET"


def stream(data: bytes, entries: bytes = b"", compress: bool = False) -> bytes:
    """An indirect stream object's body."""
    if compress:
        data, entries = zlib.compress(data), entries + b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data)


def book(
    content: bytes = CONTENT,
    catalog: bytes = b"",
    page: bytes = b"",
    pages: bytes = b"/MediaBox [0 0 300 400]",
    extra: dict[int, bytes] | None = None,
    trailer: bytes = b"",
    content_object: bytes | None = None,
) -> bytes:
    """A one-page book (catalog 1, page tree 2, content 3, font 4, page 5) plus `extra`."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        2: b"<< /Type /Pages /Kids [5 0 R] /Count 1 " + pages + b" >>",
        3: content_object if content_object is not None else stream(content),
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> " + page + b" >>",
    }
    objects.update(extra or {})
    return write(objects, trailer)


def write(objects: dict[int, bytes], trailer: bytes = b"") -> bytes:
    """Objects under their numbers and a classic xref table with a subsection per run of them
    (numbers not written are not listed, as in a hybrid file whose xref stream lists them)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    start = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    runs: list[list[int]] = []
    for number in sorted(offsets):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        out += b"%d %d\n" % (run[0], len(run))
        out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in run)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        max(objects) + 1,
        trailer,
        start,
    )
    return bytes(out)


def object_stream(objects: dict[int, bytes]) -> bytes:
    """An object stream (/Type /ObjStm) holding `objects`, compressed."""
    head, parts, at = [], [], 0  # joined once: 70,000 appends one by one are quadratic
    for number, data in objects.items():
        head.append(b"%d %d" % (number, at))
        parts.append(data + b"\n")
        at += len(data) + 1
    first = b" ".join(head) + b"\n"
    entries = b"/Type /ObjStm /N %d /First %d" % (len(objects), len(first))
    return stream(first + b"".join(parts), entries, compress=True)


def write_compressed(objects: dict[int, bytes], packed: dict[int, bytes], holder: int) -> bytes:
    """`objects` written plainly, `packed` inside the object stream `holder` (which `objects`
    must not hold), indexed by a cross-reference stream whose index field is 3 bytes wide."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted({**objects, holder: object_stream(packed)}.items()):
        offsets[number[0]] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % number
    size = max(*offsets, *packed) + 2
    index = {number: i for i, number in enumerate(packed)}
    offsets[size - 1] = len(out)  # the cross-reference stream itself
    rows = b"".join(
        b"\x01" + offsets[n].to_bytes(4, "big") + bytes(3)
        if n in offsets
        else b"\x02" + holder.to_bytes(4, "big") + index[n].to_bytes(3, "big")
        if n in index
        else bytes(8)
        for n in range(size)
    )
    xref = stream(rows, b"/Type /XRef /W [1 4 3] /Size %d /Root 1 0 R" % size, compress=True)
    out += b"%d 0 obj\n%s\nendobj\nstartxref\n%d\n%%%%EOF\n" % (size - 1, xref, offsets[size - 1])
    return bytes(out)
