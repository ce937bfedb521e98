"""Stamping: original PDF bytes and a buyer in, that buyer's personal copy out.

Pure: no files, network or clock. The footer is drawn once as a Form XObject;
every page that shares a geometry shares one small placement stream, and the
page's own content is wrapped in q/Q so whatever state it leaves behind cannot
move the footer. Nothing else in the document is rewritten, so outline, links,
named destinations, labels, forms, tags and metadata pass through untouched
(qpdf keeps every object it does not need to change). Hidden marks
(worker/marks.py) record the order and code in places the footer is not.
"""

from __future__ import annotations

import io
import secrets
import unicodedata

import pikepdf

from stamping.pdf import marks
from stamping.pdf.footer import Footer, render_footer
from stamping.pdf.geometry import Geometry, format_matrix, page_geometry, placement
from stamping.stamp import Stamp, StampError
from stamping.style import StampStyle


def stamp_pdf(original: bytes, stamp: Stamp, style: StampStyle = StampStyle()) -> bytes:  # noqa: B008 - frozen
    """Return the personal copy of `original` for `stamp`."""
    with open_original(original) as pdf:
        if len(pdf.pages) == 0:
            raise StampError("the PDF has no pages")
        footer = render_footer(pdf, stamp_text(stamp, style), style)
        footer.form[pikepdf.Name("/ExLibrisCode")] = pikepdf.String(stamp.code)
        _place_footer(pdf, footer, stamp, style)
        marks.write_document_marks(pdf, stamp.order_id, stamp.code)
        return _save(pdf)


def open_original(data: bytes) -> pikepdf.Pdf:
    """Open an original for stamping, repairing what qpdf can; StampError if it cannot."""
    if b"%PDF-" not in data[:1024]:
        raise StampError("this file is not a PDF (it does not start with %PDF-)")
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise StampError(
            "the PDF needs a password to open; export it again without an open password "
            "(restrictions on printing or copying are fine)"
        ) from None
    except pikepdf.PdfError as exc:
        raise StampError(f"the PDF is damaged beyond repair: {exc}") from None


def stamp_text(stamp: Stamp, style: StampStyle) -> str:
    """The footer line; control characters in buyer data become spaces so it stays one line."""
    fields = {"name": stamp.name, "email": stamp.email, "order": stamp.order_id, "code": stamp.code}
    clean = {k: _one_line(v) for k, v in fields.items()}
    return style.template.format(**clean)


_JOINERS = frozenset("\u200c\u200d")  # ZWNJ and ZWJ shape Persian and Indic names: keep them


def _one_line(text: str) -> str:
    """Control and format characters become spaces (bidi overrides could disguise the
    footer), except the joiners that spell a name correctly."""
    return "".join(
        " " if unicodedata.category(ch)[0] == "C" and ch not in _JOINERS else ch for ch in text
    ).strip()


def _place_footer(pdf: pikepdf.Pdf, footer: Footer, stamp: Stamp, style: StampStyle) -> None:
    name = pikepdf.Name("/ExLibris" + "".join(ch for ch in stamp.code if ch.isalnum()))
    opening = pdf.make_stream(marks.content_comment(stamp.order_id, stamp.code) + b"q\n")
    piece_info = marks.private_data(pdf, stamp.order_id, stamp.code)
    closings: dict[Geometry, pikepdf.Stream] = {}
    done: set[tuple[int, int]] = set()  # shared /Resources dictionaries already given the form
    for page in pdf.pages[style.skip_pages :]:
        obj = page.obj
        geometry = page_geometry(obj)
        closing = closings.get(geometry)
        if closing is None:
            closing = closings[geometry] = _closing(pdf, geometry, footer, name, style)
        _wrap_contents(obj, opening, closing)
        _add_xobject(obj, name, footer.form, done)
        obj.PieceInfo = piece_info


def _closing(
    pdf: pikepdf.Pdf, geometry: Geometry, footer: Footer, name: pikepdf.Name, style: StampStyle
) -> pikepdf.Stream:
    """The stream that ends the page's own content and draws the footer: one per geometry."""
    to_page = format_matrix(geometry.to_page())
    place = format_matrix(placement(geometry, footer.width, footer.height, style.margin))
    return pdf.make_stream(f"\nQ\nq {to_page} cm {place} cm {name} Do Q\n".encode())


def _wrap_contents(
    page: pikepdf.Dictionary, opening: pikepdf.Stream, closing: pikepdf.Stream
) -> None:
    contents = page.get("/Contents")
    if contents is None:
        parts: list[pikepdf.Object] = []
    elif isinstance(contents, pikepdf.Array):
        parts = list(contents)
    else:
        parts = [contents]
    page.Contents = pikepdf.Array([opening, *parts, closing])


def _add_xobject(
    page: pikepdf.Dictionary, name: pikepdf.Name, form: pikepdf.Object, done: set[tuple[int, int]]
) -> None:
    if "/Resources" not in page:
        page.Resources = pikepdf.Dictionary()
    resources = page.Resources
    if resources.is_indirect:
        if resources.objgen in done:
            return
        done.add(resources.objgen)
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    resources.XObject[name] = form


def _save(pdf: pikepdf.Pdf) -> bytes:
    """Write the copy; owner-password restrictions are kept, under a fresh owner password."""
    encryption: pikepdf.Encryption | None = None
    if pdf.is_encrypted:
        owner = secrets.token_urlsafe(24)  # nobody needs it: the author keeps the original
        encryption = pikepdf.Encryption(owner=owner, user="", allow=pdf.allow)
    out = io.BytesIO()
    pdf.save(out, encryption=encryption, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
