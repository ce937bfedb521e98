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
import mmap
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf

import stamping.pdf.marks as marks
from stamping.limits import Limits, spending
from stamping.pdf._geometry import Geometry, format_matrix, placement
from stamping.pdf._original import open_noted
from stamping.pdf.footer import Footer, render_footer
from stamping.pdf.marks import body_mark
from stamping.pdf.plan._carriers import Carrier
from stamping.pdf.plan._cut import Cut, cut
from stamping.pdf.plan._layout import MARK_FONT, Slots, lay_out
from stamping.pdf.plan._serialize import Aes256, ObjGen, object_bytes, referenced
from stamping.pdf.plan._spool import Spool
from stamping.pdf.plan._xref import (
    XrefError,
    encode_row,
    row_size,
    stream_section,
    table_section,
)
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle
from stamping.text import stamp_text


@dataclass(frozen=True)
class Plan:
    """One original, laid out for stamping; `copy` writes a buyer's copy of it."""

    style: StampStyle
    shared: Spool  # the bytes every copy shares, in a temporary file
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
    mark_font: str = MARK_FONT  # the body mark's font on every stamped page
    carriers: tuple[Carrier, ...] = ()  # the pages carrying the line-shift mark

    def copy(self, stamp: Stamp) -> bytes:
        """The personal copy for `stamp`."""
        out = io.BytesIO()
        self.write(stamp, out)
        return out.getvalue()

    def write(self, stamp: Stamp, out: BinaryIO | io.BytesIO) -> str:
        """Write the personal copy for `stamp`; the characters no installed font could draw."""
        objects, dropped = _buyer_objects(self, stamp)
        objects += [(c.number, c.contents(stamp.code)) for c in self.carriers]
        width = row_size(self.xref_stream)
        rows = bytearray(self.rows)
        self.shared.write_to(out)
        position = self.shared.size
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
        return dropped

    @property
    def nbytes(self) -> int:
        """Bytes the plan holds (its spool and tables), about the book's size."""
        held = len(self.rows) + len(self.xmp) + sum(len(t) for _, t in self.tail)
        return self.shared.size + held

    @property
    def size(self) -> int:
        """Objects in the plan: a copy's own extra objects are numbered from here."""
        return len(self.rows) // row_size(self.xref_stream)


def prepare_plan(
    original: bytes | Path,
    style: StampStyle = StampStyle(),  # noqa: B008 - frozen
    limits: Limits | None = None,
) -> Plan:
    """Lay the stamp out in `original` (bytes or a file) once; StampError if it cannot
    (LimitExceeded, one of them, past a limit)."""
    with spending(limits):
        pdf, notes = open_noted(original)
        with pdf:
            if len(pdf.pages) == 0:
                raise StampError("the PDF has no pages")
            info = marks.info_entries(pdf)
            xmp = marks.xmp_template(pdf)
            slots = lay_out(pdf, style.skip_pages)
            spool, key, parts = _saved_and_cut(pdf, slots)
    return Plan(
        style=style,
        shared=Spool(spool, parts.kept),
        rows=parts.rows,
        slots=parts.slots,
        geometries=tuple(slots.closings),
        tail=parts.tail,
        trailer_refs=parts.trailer_refs,
        xref_stream=parts.xref_stream,
        info=info,
        xmp=xmp,
        key=key,
        notes=(*notes, *slots.notes),
        mark_font=slots.mark_font,
        carriers=tuple(
            Carrier.of(parts.slots[name], page, parts.lists[name], tuple(template))
            for name, (_, page, template) in slots.lines.items()
        ),
    )


def _saved_and_cut(pdf: pikepdf.Pdf, slots: Slots) -> tuple[BinaryIO, bytes | None, Cut]:
    """qpdf's output of the laid-out book in a spool, its AESV3 key, and its cut.

    The object streams are kept as they are, unless qpdf's output then has a cross-reference
    stream the plan's reader cannot index (an object stream of over 65,535 objects needs a
    third byte for their index, as in pdf.js's bug1978317.pdf): the book is then written
    again without object streams, with a classic table, which every copy can index."""
    try:
        return _cut_saved(pdf, slots, pikepdf.ObjectStreamMode.preserve)
    except XrefError:
        pass
    try:
        return _cut_saved(pdf, slots, pikepdf.ObjectStreamMode.disable)
    except XrefError as exc:
        raise StampError(f"the stamp could not be laid out ({exc})") from None


def _cut_saved(
    pdf: pikepdf.Pdf, slots: Slots, mode: pikepdf.ObjectStreamMode
) -> tuple[BinaryIO, bytes | None, Cut]:
    spool = Spool.temporary()
    try:
        key = _save(pdf, spool, mode)
        with mmap.mmap(spool.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return spool, key, cut(data, slots)
    except BaseException:
        spool.close()
        raise


def _save(pdf: pikepdf.Pdf, out: BinaryIO, mode: pikepdf.ObjectStreamMode) -> bytes | None:
    """Let qpdf write the laid-out book to out; the AESV3 key when it stays encrypted."""
    encryption: pikepdf.Encryption | None = None
    if pdf.is_encrypted:
        # Owner-password restrictions are kept under a fresh owner password nobody needs.
        owner = secrets.token_urlsafe(24)
        encryption = pikepdf.Encryption(owner=owner, user="", allow=pdf.allow, R=6)
    pdf.save(
        out,
        encryption=encryption,
        object_stream_mode=mode,
        fix_metadata_version=False,  # the XMP slot is filled per copy; pikepdf must not rewrite it
    )
    out.flush()
    if encryption is None:
        return None
    out.seek(0)
    with pikepdf.open(out) as saved:
        return bytes(saved.encryption.encryption_key)


def _buyer_objects(plan: Plan, stamp: Stamp) -> tuple[list[tuple[int, bytes]], str]:
    """The buyer's own objects, under the numbers the plan reserved; the undrawable characters."""
    # The scratch document has no pages: the footer is laid out for the narrowest page.
    narrowest = min((g.reader_size[0] for g in plan.geometries), default=None)
    with pikepdf.new() as scratch:
        text = stamp_text(stamp, plan.style)
        footer = render_footer(scratch, text, plan.style, page_width=narrowest)
        named = _slot_contents(plan, stamp, scratch, footer)
        return _written(plan, named, referenced(footer.form)), footer.dropped


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
        mark = body_mark(geometry, code, order, plan.mark_font)
        named[f"closing{n}"] = scratch.make_stream(closing[0] + mark + closing[1])
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


def _closing(
    geometry: Geometry, width: float, height: float, style: StampStyle
) -> tuple[bytes, bytes]:
    """End the page's own content, then draw the footer: one stream per geometry.

    Two halves: the body mark goes between them, outside the footer's drawing."""
    to_page = format_matrix(geometry.to_page())
    place = format_matrix(placement(geometry, width, height, style.margin))
    return b"\nQ\n", f"q {to_page} cm {place} cm /ExLibrisStamp Do Q\n".encode()
