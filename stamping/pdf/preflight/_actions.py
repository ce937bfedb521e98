"""Warnings about what a PDF runs: JavaScript and Launch actions, which every copy keeps.

The stamp adds to a book and removes nothing, so a script in the original
(the catalog's /Names /JavaScript tree, or any action whose /S is
/JavaScript or which carries /JS, ISO 32000-1 12.6.4.16) and a Launch
action (12.6.4.5: open a file or run an application) reach every buyer. A
viewer that honours them would run them for each reader, under the author's
name: `check` says so, and the author decides. Every indirect object is
visited once, with the direct dictionaries and arrays inside it (an
annotation's /A, a page's /AA), never following a reference, so a cycle
cannot loop; the time limit applies (stamping/limits.py).
"""

from __future__ import annotations

import pikepdf

from stamping.limits import current

_DEPTH = 32  # direct objects nest this deep at most in a real file
_TICK = 1024  # objects between time checks


def action_warnings(pdf: pikepdf.Pdf) -> list[str]:
    """A sentence per kind of action found, with how many; none for a book without them."""
    found = {"javascript": 0, "launch": 0}
    budget = current()
    for n, obj in enumerate(pdf.objects):
        if n % _TICK == 0:
            budget.tick("looking for scripts in this PDF")
        _visit(obj, found, 0)
    warnings = []
    names = pdf.Root.get("/Names")
    tree = isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names
    if found["javascript"] or tree:
        where = " and a document-level /JavaScript name tree" if tree else ""
        warnings.append(
            f"the PDF holds JavaScript ({found['javascript']} actions{where}): every copy "
            "keeps it, and a viewer that runs scripts would run it for each buyer; export "
            "the book without scripts unless you mean them"
        )
    if found["launch"]:
        warnings.append(
            f"the PDF holds {found['launch']} Launch action(s), which ask the viewer to open a "
            "file or run a program: every copy keeps them; export the book without them "
            "unless you mean them"
        )
    return warnings


def _visit(obj: object, found: dict[str, int], depth: int) -> None:
    if depth > _DEPTH:
        return
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        kind = obj.get("/S")
        if kind == pikepdf.Name.JavaScript or "/JS" in obj:
            found["javascript"] += 1
        elif kind == pikepdf.Name.Launch:
            found["launch"] += 1
        children = list(obj.values())  # items() chokes on names not in UTF-8 (_facts.py)
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            _visit(child, found, depth + 1)
