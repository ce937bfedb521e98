"""Prepare a book once, then write each buyer's copy by copying bytes: the stamping plan.

A buyer's copy differs from the original only in a few small objects (the
footer and its fonts, the placement streams, the marks, the document info, the
XMP and the /ID). So `prepare_plan` lays the stamp out once (layout.py), lets
qpdf write the book with placeholders for those objects, and cuts qpdf's
output into:

- `shared`: every byte that is the same for every buyer (header, content
  streams, images, fonts, object streams holding the pages), written once;
- the buyer's objects, written per copy under the object numbers reserved for
  them, followed by the catalog and the page tree root, copied verbatim;
- a fresh cross-reference section and trailer.

`Plan.copy(stamp)` then costs the footer, a few small objects and a memory
copy of `shared`, whatever the book's size. Each copy is a single-revision
file, and `shared` alone holds no catalog and no page tree, so cutting a copy
short never leaves a clean book. Pure: bytes in, bytes out, no clock.
"""

from __future__ import annotations

import io
import re
import secrets
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

import pikepdf

from stamping.pdf import marks
from stamping.pdf.footer import Footer, render_footer
from stamping.pdf.geometry import Geometry, format_matrix, placement
from stamping.pdf.layout import SLOT_KEY, Slots, lay_out
from stamping.pdf.original import open_original
from stamping.pdf.serialize import Aes256, ObjGen, object_bytes, referenced
from stamping.pdf.xref import (
    Entry,
    Xref,
    encode_row,
    encode_rows,
    read_xref,
    row_size,
    stream_section,
    table_section,
)
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle
from stamping.text import stamp_text

_SLOT = re.compile(rb"/ExLibrisSlot\s*/(\w+)")


@dataclass(frozen=True)
class Plan:
    """One original, laid out for stamping; `copy` writes a buyer's copy of it."""

    style: StampStyle
    shared: bytes
    rows: bytes  # the cross-reference rows of every object; buyer and tail rows are rewritten
    slots: dict[str, int]  # slot name -> object number
    geometries: tuple[Geometry, ...]  # closing0, closing1, … in this order
    tail: tuple[tuple[int, bytes], ...]  # the catalog and page tree root, verbatim
    trailer_refs: bytes  # /Root, /Info and /Encrypt of the trailer
    xref_stream: bool
    info: marks.InfoEntries  # the original's document information
    xmp: bytes  # the XMP packet with placeholders for the marks
    key: bytes | None  # AESV3 file key of an encrypted book
    notes: tuple[str, ...] = field(default=())

    def copy(self, stamp: Stamp) -> bytes:
        """The personal copy for `stamp`."""
        out = io.BytesIO()
        self.write(stamp, out)
        return out.getvalue()

    def write(self, stamp: Stamp, out: io.BufferedIOBase | io.BytesIO) -> None:
        """Write the personal copy for `stamp` to a binary file."""
        objects = _buyer_objects(self, stamp)
        width = row_size(self.xref_stream)
        rows = bytearray(self.rows)
        out.write(self.shared)
        position = len(self.shared)
        for number, data in [*objects, *self.tail]:
            while len(rows) < (number + 1) * width:
                rows += encode_row(len(rows) // width, (0, 0, 0), self.xref_stream)
            rows[number * width : (number + 1) * width] = encode_row(
                number, (1, position, 0), self.xref_stream
            )
            out.write(data)
            position += len(data)
        trailer = self.trailer_refs + b" /ID [ <%s> <%s> ]" % (
            marks.id_bytes(stamp.code).hex().encode(),
            marks.second_id(stamp.order_id, stamp.code).hex().encode(),
        )
        count = len(rows) // width
        if self.xref_stream:  # the stream's own row comes last
            rows += encode_row(count, (1, position, 0), True)
            body = b"/Size %d %s" % (count + 1, trailer)
            out.write(stream_section(count, bytes(rows), body, position))
        else:
            body = b"<< /Size %d %s >>" % (count, trailer)
            out.write(table_section(bytes(rows), count, body, position))

    @property
    def nbytes(self) -> int:
        """Memory the plan holds, about the book's size (what a cache of plans counts)."""
        return len(self.shared) + len(self.rows) + len(self.xmp) + sum(len(t) for _, t in self.tail)

    @property
    def size(self) -> int:
        """Objects in the plan: a copy's own extra objects are numbered from here."""
        return len(self.rows) // row_size(self.xref_stream)


def prepare_plan(original: bytes, style: StampStyle = StampStyle()) -> Plan:  # noqa: B008 - frozen
    """Lay the stamp out in `original` once; StampError when it cannot be stamped."""
    with open_original(original) as pdf:
        if len(pdf.pages) == 0:
            raise StampError("the PDF has no pages")
        info = marks.info_entries(pdf)
        xmp = marks.xmp_template(pdf)
        slots = lay_out(pdf, style.skip_pages)
        data, key = _save(pdf)
    return _cut(data, key, slots, style, info, xmp)


def _save(pdf: pikepdf.Pdf) -> tuple[bytes, bytes | None]:
    """qpdf's output of the laid-out book, and the AESV3 key when it stays encrypted."""
    encryption: pikepdf.Encryption | None = None
    if pdf.is_encrypted:
        # Owner-password restrictions are kept under a fresh owner password nobody needs.
        encryption = pikepdf.Encryption(
            owner=secrets.token_urlsafe(24), user="", allow=pdf.allow, R=6
        )
    out = io.BytesIO()
    pdf.save(
        out,
        encryption=encryption,
        object_stream_mode=pikepdf.ObjectStreamMode.preserve,
        fix_metadata_version=False,  # the XMP slot is filled per copy; pikepdf must not rewrite it
    )
    data = out.getvalue()
    if encryption is None:
        return data, None
    with pikepdf.open(io.BytesIO(data)) as saved:
        return data, bytes(saved.encryption.encryption_key)


def _cut(
    data: bytes,
    key: bytes | None,
    slots: Slots,
    style: StampStyle,
    info: marks.InfoEntries,
    xmp: bytes,
) -> Plan:
    xref = read_xref(data)
    offsets = xref.offsets()
    spans = _spans(offsets, xref.start)
    found, root, pages = _locate(data, xref, spans, slots)
    tail_numbers = [root, pages]
    moved = set(found.values()) | set(tail_numbers)
    if xref.is_stream:
        moved.add(xref.stream_number)
    if any(number not in offsets for number in moved):
        raise StampError("the stamp could not be laid out (a slot sits in an object stream)")
    cuts = sorted(spans[n] for n in moved)
    shared = b"".join(data[a:b] for a, b in _kept(cuts, xref.start))
    refs = b"/Root %d 0 R /Info %d 0 R" % (root, found["info"])
    encrypt = xref.ref("Encrypt")
    if encrypt is not None:
        refs += b" /Encrypt %d 0 R" % encrypt
    return Plan(
        style=style,
        shared=shared,
        rows=_shifted_rows(xref, offsets, moved, cuts),
        slots=found,
        geometries=tuple(slots.closings),
        tail=tuple((n, data[slice(*spans[n])]) for n in tail_numbers),
        trailer_refs=refs,
        xref_stream=xref.is_stream,
        info=info,
        xmp=xmp,
        key=key,
        notes=tuple(slots.notes),
    )


def _locate(
    data: bytes, xref: Xref, spans: dict[int, tuple[int, int]], slots: Slots
) -> tuple[dict[str, int], int, int]:
    """The object numbers qpdf gave the slots, the catalog and the page tree root."""
    found: dict[str, int] = {}
    for number, (start, stop) in spans.items():
        head = data[start : min(stop, start + 200)]
        if SLOT_KEY.encode() in head and (match := _SLOT.search(head)) is not None:
            found[match.group(1).decode()] = number
    root = xref.ref("Root")
    if root is None or root not in spans:
        raise StampError("the stamp could not be laid out (no catalog)")
    catalog = data[slice(*spans[root])]
    # pikepdf writes the XMP stream anew on save (its own dictionary): found by reference.
    found["metadata"] = _catalog_ref(catalog, b"Metadata")
    missing = set(slots.named()) - set(found)
    if missing:
        raise StampError(f"the stamp could not be laid out ({', '.join(sorted(missing))} lost)")
    return found, root, _catalog_ref(catalog, b"Pages")


def _catalog_ref(catalog: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb"\s+(\d+)\s+0\s+R", catalog)
    if found is None:
        raise StampError(f"the stamp could not be laid out (no /{key.decode()} in the catalog)")
    return int(found.group(1))


def _spans(offsets: dict[int, int], end: int) -> dict[int, tuple[int, int]]:
    """Byte range of every object qpdf wrote outside object streams."""
    starts = sorted((offset, n) for n, offset in offsets.items())
    bounds = [offset for offset, _ in starts[1:]] + [end]
    return {n: (start, stop) for (start, n), stop in zip(starts, bounds, strict=True)}


def _kept(cuts: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """The byte ranges left between the cut-out ones, up to `end` (the old xref)."""
    kept, position = [], 0
    for start, stop in cuts:
        kept.append((position, start))
        position = stop
    kept.append((position, end))
    return kept


def _shifted_rows(
    xref: Xref, offsets: dict[int, int], moved: set[int], cuts: list[tuple[int, int]]
) -> bytes:
    """The plan's rows: moved objects free, every other offset moved up past the cuts."""
    starts = [start for start, _ in cuts]
    removed = list(accumulate(stop - start for start, stop in cuts))
    entries: dict[int, Entry] = {}
    for number, offset in offsets.items():
        if number not in moved:
            before = bisect_right(starts, offset)
            entries[number] = (1, offset - (removed[before - 1] if before else 0), 0)
    if xref.is_stream:
        rows = bytearray(xref.rows)
        for number in moved:
            rows[7 * number : 7 * number + 7] = bytes(7)
        for number, entry in entries.items():
            rows[7 * number : 7 * number + 7] = encode_row(number, entry, True)
        return bytes(rows)
    return encode_rows([entries.get(n, (0, 0, 0)) for n in range(xref.size)], False)


def _buyer_objects(plan: Plan, stamp: Stamp) -> list[tuple[int, bytes]]:
    """The buyer's own objects, written under the numbers the plan reserved."""
    with pikepdf.new() as scratch:
        footer = render_footer(scratch, stamp_text(stamp, plan.style), plan.style)
        try:
            named = _slot_contents(plan, stamp, scratch, footer)
            return _written(plan, named, referenced(footer.form))
        finally:
            source = getattr(footer, "source", None)  # the footer's own document, if it has one
            if source is not None:
                source.close()


def _slot_contents(
    plan: Plan, stamp: Stamp, scratch: pikepdf.Pdf, footer: Footer
) -> dict[str, pikepdf.Object]:
    """What each slot holds for this buyer, built in the scratch document."""
    footer.form[pikepdf.Name("/ExLibrisCode")] = pikepdf.String(stamp.code)
    order, code = stamp.order_id, stamp.code
    named: dict[str, pikepdf.Object] = {
        "opening": scratch.make_stream(marks.content_comment(order, code) + b"q\n"),
        "form": footer.form,
        "piece": scratch.make_indirect(marks.piece_entries(order, code)),
        "info": scratch.make_indirect(marks.info_dictionary(plan.info, order, code)),
        "metadata": scratch.make_stream(
            marks.fill_xmp(plan.xmp, order, code),
            Type=pikepdf.Name.Metadata,
            Subtype=pikepdf.Name.XML,
        ),
    }
    for n, geometry in enumerate(plan.geometries):
        closing = _closing(geometry, footer.width, footer.height, plan.style)
        named[f"closing{n}"] = scratch.make_stream(closing)
    return named


def _written(
    plan: Plan, named: dict[str, pikepdf.Object], extras: list[pikepdf.Object]
) -> list[tuple[int, bytes]]:
    """Slots under their reserved numbers, the footer's own objects numbered after the plan's."""
    cipher = Aes256(plan.key) if plan.key else None
    numbers: dict[ObjGen, int] = {obj.objgen: plan.slots[name] for name, obj in named.items()}
    for n, obj in enumerate(extras):
        numbers.setdefault(obj.objgen, plan.size + n)
    written = []
    for name, obj in named.items():
        plain = name == "metadata"  # XMP stays plain text, as metadata tools expect it
        number = plan.slots[name]
        written.append(
            (number, object_bytes(number, obj, numbers.__getitem__, cipher, compress=not plain))
        )
    for obj in extras:
        number = numbers[obj.objgen]
        written.append((number, object_bytes(number, obj, numbers.__getitem__, cipher)))
    return written


def _closing(geometry: Geometry, width: float, height: float, style: StampStyle) -> bytes:
    """End the page's own content, then draw the footer: one stream per geometry."""
    to_page = format_matrix(geometry.to_page())
    place = format_matrix(placement(geometry, width, height, style.margin))
    return f"\nQ\nq {to_page} cm {place} cm /ExLibrisStamp Do Q\n".encode()


__all__ = ["Plan", "prepare_plan"]
_ = SLOT_KEY  # the marker _SLOT finds in qpdf's output
