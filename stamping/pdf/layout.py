"""The layout of a stamp in a book, the same for every buyer: which pages, and the empty slots.

`lay_out` edits an opened original once. Every stamped page gets its content
wrapped as [opening, the page's own streams…, closing], the footer form in its
resources under one fixed name and the PieceInfo mark. Everything a buyer
changes lives in a few *slot* objects, left as placeholders here and written
per copy (stamping/pdf/plan.py):

- opening: a content comment naming the copy, then `q`;
- closing, one per page geometry: `Q`, then the footer placed for that geometry;
- form: the footer Form XObject (its fonts hang off it);
- piece: the PieceInfo dictionary shared by the stamped pages;
- info: the document information dictionary; metadata: the XMP packet.

The catalog and the page tree's root are moved to fresh objects as well, so
that qpdf writes them outside any object stream and the plan can put them
after the buyer's objects: bytes cut off before a copy's own part hold no
catalog and no page tree, so they do not open as a clean book.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf

from stamping.pdf.geometry import Geometry, page_geometry

FORM_NAME = pikepdf.Name("/ExLibrisStamp")
SLOT_KEY = "/ExLibrisSlot"  # marks a placeholder, so the plan finds it in qpdf's output


@dataclass
class Slots:
    """The placeholders of one laid-out document."""

    opening: pikepdf.Object
    form: pikepdf.Object
    piece: pikepdf.Object
    info: pikepdf.Object
    metadata: pikepdf.Object
    closings: dict[Geometry, pikepdf.Object] = field(default_factory=dict)
    stamped_pages: int = 0
    notes: list[str] = field(default_factory=list)

    def named(self) -> dict[str, pikepdf.Object]:
        """Every slot under the name its placeholder carries."""
        named = {
            "opening": self.opening,
            "form": self.form,
            "piece": self.piece,
            "info": self.info,
            "metadata": self.metadata,
        }
        named.update({f"closing{n}": c for n, c in enumerate(self.closings.values())})
        return named


def lay_out(pdf: pikepdf.Pdf, skip_pages: int) -> Slots:
    """Wrap the pages after `skip_pages` around the slots and move what must follow them."""
    slots = Slots(
        opening=_stream(pdf, "opening"),
        form=_stream(pdf, "form", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form),
        piece=pdf.make_indirect(pikepdf.Dictionary(ExLibrisSlot=pikepdf.Name("/piece"))),
        info=pdf.make_indirect(pikepdf.Dictionary(ExLibrisSlot=pikepdf.Name("/info"))),
        metadata=_stream(pdf, "metadata", Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML),
    )
    pages = list(pdf.pages)
    if skip_pages >= len(pages):
        slots.notes.append(
            f"skipping {skip_pages} page(s) would leave nothing stamped: the last page is stamped"
        )
        skip_pages = len(pages) - 1
    done: set[tuple[int, int]] = set()  # shared /Resources dictionaries already given the form
    for page in pages[skip_pages:]:
        geometry = page_geometry(page.obj)
        if geometry not in slots.closings:
            slots.closings[geometry] = _stream(pdf, f"closing{len(slots.closings)}")
        _wrap_contents(page.obj, slots.opening, slots.closings[geometry])
        _add_form(page.obj, slots.form, done)
        page.obj.PieceInfo = slots.piece
        slots.stamped_pages += 1
    _move_catalog_and_tree(pdf, slots)
    return slots


def _stream(pdf: pikepdf.Pdf, name: str, **entries: pikepdf.Object) -> pikepdf.Object:
    return pdf.make_stream(b"", ExLibrisSlot=pikepdf.Name(f"/{name}"), **entries)


def _wrap_contents(
    page: pikepdf.Dictionary, opening: pikepdf.Object, closing: pikepdf.Object
) -> None:
    contents = page.get("/Contents")
    if contents is None:
        parts: list[pikepdf.Object] = []
    elif isinstance(contents, pikepdf.Array):
        parts = list(contents)
    else:
        parts = [contents]
    page.Contents = pikepdf.Array([opening, *parts, closing])


def _add_form(page: pikepdf.Dictionary, form: pikepdf.Object, done: set[tuple[int, int]]) -> None:
    if "/Resources" not in page:
        page.Resources = pikepdf.Dictionary()
    resources = page.Resources
    if resources.is_indirect:
        if resources.objgen in done:
            return
        done.add(resources.objgen)
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    resources.XObject[FORM_NAME] = form


def _move_catalog_and_tree(pdf: pikepdf.Pdf, slots: Slots) -> None:
    """Fresh objects for the catalog and the page tree root; the slots for info and XMP."""
    fresh_pages = pdf.make_indirect(pikepdf.Dictionary(dict(pdf.Root.Pages.items())))
    for kid in fresh_pages.Kids:
        kid.Parent = fresh_pages
    catalog = pikepdf.Dictionary(dict(pdf.Root.items()))
    catalog.Pages = fresh_pages
    catalog.Metadata = slots.metadata
    pdf.trailer.Root = pdf.make_indirect(catalog)
    pdf.trailer.Info = slots.info
