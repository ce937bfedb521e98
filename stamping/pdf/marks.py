"""Hidden marks: where a stamped copy records its order and code, and how they are read back.

The visible footer can be cropped or deleted, so each copy carries the order
id and stamp code in several independent places; whichever survive tell the
trace command who the copy was issued to:

- `docinfo`: /ExLibrisOrder and /ExLibrisCode in the document information;
- `xmp`: exlibris:OrderId and exlibris:StampCode in the XMP packet;
- `id`: the first half of the trailer /ID is "EXL:" plus the code (16 bytes);
- `pieceinfo`: /PieceInfo /ExLibris on every stamped page (the place PDF sets
  aside for an application's private data), untouched by deleting the footer;
- `content`: a comment in the content stream that opens every stamped page;
- `footer`: the footer Form XObject itself names the code.
"""

from __future__ import annotations

import json
import re

import pikepdf

XMP_NS = "https://exlibris.dev/ns/stamp/1.0/"
XMP_PREFIX = "exlibris"
PRIVATE_KEY = "/ExLibris"
ID_PREFIX = b"EXL:"
_COMMENT = re.compile(rb"^% exlibris (\{.*\})\r?\n")
Found = dict[str, tuple[str | None, str | None]]  # mark -> (order id, code)


def id_bytes(code: str) -> bytes:
    """The per-copy first /ID entry: 16 bytes, as the spec suggests, that name the code."""
    return ID_PREFIX + code.replace("-", "").encode("ascii", "replace")[:12]


def content_comment(order_id: str, code: str) -> bytes:
    """A content-stream comment line naming the copy (JSON keeps it on one ASCII line)."""
    return b"% exlibris " + json.dumps({"order": order_id, "code": code}).encode() + b"\n"


def private_data(pdf: pikepdf.Pdf, order_id: str, code: str) -> pikepdf.Object:
    """One indirect /PieceInfo dictionary, shared by every stamped page."""
    data = pikepdf.Dictionary(
        LastModified=pikepdf.String("D:20000101000000Z"),  # required key; no clock in the core
        Private=pikepdf.Dictionary(Order=pikepdf.String(order_id), Code=pikepdf.String(code)),
    )
    return pdf.make_indirect(pikepdf.Dictionary({PRIVATE_KEY: data}))


def write_document_marks(pdf: pikepdf.Pdf, order_id: str, code: str) -> None:
    """Record the order and code in docinfo, XMP and the trailer /ID."""
    pdf.docinfo[pikepdf.Name("/ExLibrisOrder")] = pikepdf.String(order_id)
    pdf.docinfo[pikepdf.Name("/ExLibrisCode")] = pikepdf.String(code)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.register_xml_namespace(XMP_NS, XMP_PREFIX)
        meta[f"{{{XMP_NS}}}OrderId"] = order_id
        meta[f"{{{XMP_NS}}}StampCode"] = code
    # qpdf keeps the first /ID entry and derives the second from the content.
    pdf.trailer.ID = pikepdf.Array([pikepdf.String(id_bytes(code))] * 2)


def read_marks(pdf: pikepdf.Pdf) -> Found:
    """Every mark present in the document, with what each says."""
    found: Found = {}
    info = pdf.trailer.get("/Info")
    if isinstance(info, pikepdf.Dictionary) and "/ExLibrisOrder" in info:
        found["docinfo"] = (str(info.ExLibrisOrder), _text(info.get("/ExLibrisCode")))
    found.update(_xmp_marks(pdf))
    ids = pdf.trailer.get("/ID")
    if isinstance(ids, pikepdf.Array) and len(ids) and bytes(ids[0]).startswith(ID_PREFIX):
        raw = bytes(ids[0])[len(ID_PREFIX) :].decode("ascii", "replace")
        found["id"] = (None, f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}")
    for page in pdf.pages:
        found.update(_page_marks(page.obj))
        if {"pieceinfo", "content", "footer"} <= found.keys():
            break
    return found


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _xmp_marks(pdf: pikepdf.Pdf) -> Found:
    if "/Metadata" not in pdf.Root:
        return {}
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        meta.register_xml_namespace(XMP_NS, XMP_PREFIX)
        order = meta.get(f"{{{XMP_NS}}}OrderId")
        code = meta.get(f"{{{XMP_NS}}}StampCode")
    except Exception:  # a mangled XMP packet is just a missing mark
        return {}
    return {"xmp": (order, code)} if order or code else {}


def _page_marks(page: pikepdf.Dictionary) -> Found:
    found: Found = {}
    piece = page.get("/PieceInfo")
    # A leaked copy may have been tampered with: a broken mark is skipped, never fatal.
    entry = piece.get(PRIVATE_KEY) if isinstance(piece, pikepdf.Dictionary) else None
    private = entry.get("/Private") if isinstance(entry, pikepdf.Dictionary) else None
    if isinstance(private, pikepdf.Dictionary):
        found["pieceinfo"] = (_text(private.get("/Order")), _text(private.get("/Code")))
    contents = page.get("/Contents")
    first = contents[0] if isinstance(contents, pikepdf.Array) and len(contents) else contents
    if isinstance(first, pikepdf.Stream) and int(first.get("/Length", 0)) < 1024:
        match = _COMMENT.match(first.read_bytes()[:512])
        data = _json_object(match.group(1)) if match else None
        if data is not None:
            found["content"] = (_text(data.get("order")), _text(data.get("code")))
    xobjects = page.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary())
    for _, xobj in xobjects.items():
        if isinstance(xobj, pikepdf.Stream) and "/ExLibrisCode" in xobj:
            found["footer"] = (None, str(xobj.ExLibrisCode))
    return found


def _json_object(raw: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
