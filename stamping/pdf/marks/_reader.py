"""Reading the hidden marks (marks.py) back from a copy that may have been tampered with.

Document marks (docinfo, xmp, id) name the copy as a whole; page marks
(pieceinfo, content, footer) name the copy each page came from, so a file
stitched from two copies shows both. A broken or forged mark is skipped,
never fatal: whatever is left is still read.
"""

from __future__ import annotations

import json
import re

import pikepdf
from lxml import etree

from stamping.pdf._streams import read_stream
from stamping.pdf.marks._marks import ID_PREFIX, PRIVATE_KEY, XMP_NS

Found = dict[str, tuple[str | None, str | None]]  # mark -> (order id, code)
_COMMENT = re.compile(rb"^% exlibris (\{.*\})\r?\n")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def read_marks(pdf: pikepdf.Pdf) -> Found:
    """Every mark present in the document, with what the first page carrying each says."""
    found = document_marks(pdf)
    for page in pdf.pages:
        for mark, value in page_marks(page.obj).items():
            found.setdefault(mark, value)
        if {"pieceinfo", "content", "footer"} <= found.keys():
            break
    return found


def document_marks(pdf: pikepdf.Pdf) -> Found:
    """The marks of the document as a whole: docinfo, xmp and id."""
    found: Found = {}
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary) and "/ExLibrisOrder" in info:
        found["docinfo"] = (_text(info.get("/ExLibrisOrder")), _text(info.get("/ExLibrisCode")))
    found.update(_xmp_marks(pdf))
    ids = pdf.trailer.get("/ID")
    if isinstance(ids, pikepdf.Array) and len(ids) and isinstance(ids[0], pikepdf.String):
        first = bytes(ids[0])
        if first.startswith(ID_PREFIX):
            raw = first[len(ID_PREFIX) :].decode("ascii", "replace")
            found["id"] = (None, f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}")
    return found


def page_marks(page: pikepdf.Dictionary) -> Found:
    """The marks one page carries: pieceinfo, content and footer."""
    found: Found = {}
    piece = page.get("/PieceInfo")
    entry = piece.get(PRIVATE_KEY) if isinstance(piece, pikepdf.Dictionary) else None
    private = entry.get("/Private") if isinstance(entry, pikepdf.Dictionary) else None
    if isinstance(private, pikepdf.Dictionary):
        found["pieceinfo"] = (_text(private.get("/Order")), _text(private.get("/Code")))
    comment = _comment(page.get("/Contents"))
    if comment is not None:
        found["content"] = comment
    resources = page.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobj in xobjects.values():  # items() and get() choke on names not in UTF-8
            if isinstance(xobj, pikepdf.Stream) and "/ExLibrisCode" in xobj:
                found["footer"] = (None, _text(xobj.get("/ExLibrisCode")))
    return found


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, pikepdf.String) else None


def _comment(contents: object) -> tuple[str | None, str | None] | None:
    first = contents[0] if isinstance(contents, pikepdf.Array) and len(contents) else contents
    if not isinstance(first, pikepdf.Stream):
        return None
    try:
        head = read_stream(first, "this PDF's page content")[:512]
    except pikepdf.PdfError:
        return None
    match = _COMMENT.match(head)
    data = _json_object(match.group(1)) if match else None
    if data is None:
        return None
    order, code = data.get("order"), data.get("code")
    return (order if isinstance(order, str) else None, code if isinstance(code, str) else None)


def _xmp_marks(pdf: pikepdf.Pdf) -> Found:
    """exlibris:OrderId and exlibris:StampCode, as elements or as attributes (both are XMP)."""
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    try:
        root = etree.fromstring(read_stream(stream, "this PDF's XMP").strip(), _PARSER)
    except (pikepdf.PdfError, etree.XMLSyntaxError, ValueError):
        return {}  # a mangled packet is just a missing mark
    values = []
    for key in ("OrderId", "StampCode"):
        tag = f"{{{XMP_NS}}}{key}"
        element = root.find(f".//{tag}")
        text = element.text if element is not None else None
        if text is None:
            holder = root.find(f".//{{{_RDF}}}Description[@{tag}]")
            text = holder.get(tag) if holder is not None else None
        values.append(text.strip() if text and text.strip() else None)
    order, code = values
    return {"xmp": (order, code)} if order or code else {}


def _json_object(raw: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
