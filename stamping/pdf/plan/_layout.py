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
- info: the document information dictionary; metadata: the XMP packet;
- lines, one per page carrying the line-shift mark (stamping/pdf/lineshift): the
  page's list of content streams, which names for each marked line the shared
  stream that moves it up or the one that moves it down.

Each stamped page's resources also get the font of the body mark (body_mark.py),
the standard Helvetica under a name no stamped page uses yet, the same for
every buyer. A stamped page whose own content is broken in a way that would
hide the footer is first redrawn as a form (isolation.py), with a note.

The catalog and the page tree's root are moved to fresh objects as well, so
that qpdf writes them outside any object stream and the plan can put them
after the buyer's objects: bytes cut off before a copy's own part hold no
catalog and no page tree, so they do not open as a clean book.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf

from stamping.limits import current
from stamping.pdf._geometry import Geometry, page_geometry
from stamping.pdf.lineshift import Move, PageLines, carrying_pages, move_stream, pieces
from stamping.pdf.plan._isolation import isolate_if_broken

ObjGen = tuple[int, int]

FORM_NAME = pikepdf.Name("/ExLibrisStamp")
MARK_FONT = "/FXm"  # the body mark's font; a suffix is added if a page already uses the name
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
    mark_font: str = MARK_FONT  # the body mark's font resource name on every stamped page
    # lines slot name -> (its placeholder, the page's number, the moves among its items)
    lines: dict[str, tuple[pikepdf.Object, int, list[Move | None]]] = field(default_factory=dict)

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
        named.update({name: held[0] for name, held in self.lines.items()})
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
    stamped = pages[skip_pages:]
    carrying = carrying_pages(pdf)  # read before any page changes, as a trace reads the original
    moves: dict[float, pikepdf.Object] = {}  # the shared streams moving a line, by offset
    slots.mark_font = _free_font_name(stamped)
    font = pdf.make_indirect(_mark_font())
    done: set[tuple[ObjGen, str]] = set()  # shared resource dictionaries already given ours
    budget = current()
    for number, page in enumerate(stamped, start=skip_pages + 1):
        budget.tick("laying out this PDF")
        fault = isolate_if_broken(pdf, page)
        if fault is not None:
            slots.notes.append(f"page {number}: {fault}; it is drawn as a form so the stamp shows")
        geometry = page_geometry(page.obj)
        if geometry not in slots.closings:
            slots.closings[geometry] = _stream(pdf, f"closing{len(slots.closings)}")
        closing = slots.closings[geometry]
        if fault is None and number - 1 in carrying:
            _carry(pdf, page.obj, number, carrying[number - 1], (slots, closing, moves))
        else:
            _wrap_contents(page.obj, slots.opening, closing)
        _add_resources(page.obj, {"/XObject": (FORM_NAME, slots.form)}, done)
        _add_resources(page.obj, {"/Font": (pikepdf.Name(slots.mark_font), font)}, done)
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


def _carry(
    pdf: pikepdf.Pdf,
    page: pikepdf.Dictionary,
    number: int,
    lines: PageLines,
    held: tuple[Slots, pikepdf.Object, dict[float, pikepdf.Object]],
) -> None:
    """Wrap a carrying page around a lines slot: its content cut where marked lines move."""
    slots, closing, moves = held
    items: list[pikepdf.Object] = [slots.opening]
    template: list[Move | None] = [None]
    for piece in pieces(lines):
        if isinstance(piece, Move):
            for up in (True, False):
                offset = piece.offset(up)
                if offset not in moves:
                    moves[offset] = pdf.make_stream(move_stream(offset))
                items.append(moves[offset])
            template.append(piece)
        else:
            items.append(pdf.make_stream(piece))
            template.append(None)
    items.append(closing)
    template.append(None)
    name = f"lines{len(slots.lines)}"
    marker = [pikepdf.Name(SLOT_KEY), pikepdf.Name(f"/{name}")]
    placeholder = pdf.make_indirect(pikepdf.Array([*marker, *items]))
    slots.lines[name] = (placeholder, number, template)
    page.Contents = placeholder


def _mark_font() -> pikepdf.Dictionary:
    """The standard Helvetica (fresh each time: a pikepdf object belongs to one document)."""
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )


def _free_font_name(pages: list[pikepdf.Page]) -> str:
    """MARK_FONT, or MARK_FONT plus a number, whichever no stamped page's /Font names."""
    used: set[str] = set()
    for page in pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(fonts, pikepdf.Dictionary):
            used.update(str(key) for key in fonts)
    return next(
        name
        for name in (MARK_FONT, *(f"{MARK_FONT}{n}" for n in range(1, len(used) + 2)))
        if name not in used
    )


def _add_resources(
    page: pikepdf.Dictionary,
    entries: dict[str, tuple[pikepdf.Name, pikepdf.Object]],
    done: set[tuple[ObjGen, str]],
) -> None:
    """Put each (name, object) into the page's resource category, once per shared dictionary."""
    if not isinstance(page.get("/Resources"), pikepdf.Dictionary):
        page.Resources = pikepdf.Dictionary()  # missing or broken: viewers see none either
    resources = page.Resources
    for category, (name, obj) in entries.items():
        if not isinstance(resources.get(category), pikepdf.Dictionary):
            resources[category] = pikepdf.Dictionary()
        table = resources[category]
        owner = table if table.is_indirect else resources
        if owner.is_indirect and (owner.objgen, category) in done:
            continue
        if owner.is_indirect:
            done.add((owner.objgen, category))
        table[name] = obj


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
