"""Hidden marks: where a stamped copy records its order and code (mark_reader.py reads them).

The visible footer can be cropped or deleted, so each copy carries the order
id and stamp code in several independent places; whichever survive tell the
trace command who the copy was issued to:

- `docinfo`: /ExLibrisOrder and /ExLibrisCode in the document information;
- `xmp`: exlibris:OrderId and exlibris:StampCode in the XMP packet;
- `id`: the first half of the trailer /ID is "EXL:" plus the code (16 bytes);
- `pieceinfo`: /PieceInfo /ExLibris on every stamped page (the place PDF sets
  aside for an application's private data), untouched by deleting the footer;
- `content`: a comment in the content stream that opens every stamped page;
- `footer`: the footer Form XObject itself names the code;
- `body`: invisible text in the page body (body_mark.py), which survives a
  ghostscript re-distill and the footer's deletion.
"""

from __future__ import annotations

import hashlib
import json

import pikepdf
from lxml import etree

from stamping.pdf._streams import read_stream

XMP_NS = "https://exlibris.dev/ns/stamp/1.0/"
XMP_PREFIX = "exlibris"
PRIVATE_KEY = "/ExLibris"
ID_PREFIX = b"EXL:"


def id_bytes(code: str) -> bytes:
    """The per-copy first /ID entry: 16 bytes, as the spec suggests, that name the code."""
    return ID_PREFIX + code.replace("-", "").encode("ascii", "replace")[:12]


def content_comment(order_id: str, code: str) -> bytes:
    """A content-stream comment line naming the copy (JSON keeps it on one ASCII line)."""
    return b"% exlibris " + json.dumps({"order": order_id, "code": code}).encode() + b"\n"


def second_id(order_id: str, code: str) -> bytes:
    """The second /ID entry: 16 bytes derived from the copy, so equal copies are equal files."""
    return hashlib.sha256(f"{order_id}\n{code}".encode()).digest()[:16]


def piece_entries(order_id: str, code: str) -> pikepdf.Dictionary:
    """The /PieceInfo dictionary every stamped page shares."""
    data = pikepdf.Dictionary(
        LastModified=pikepdf.String("D:20000101000000Z"),  # required key; no clock in the core
        Private=pikepdf.Dictionary(Order=pikepdf.String(order_id), Code=pikepdf.String(code)),
    )
    return pikepdf.Dictionary({PRIVATE_KEY: data})


InfoEntries = tuple[
    tuple[str, bytes, bool], ...
]  # key, value (string bytes or PDF syntax), is string


def info_entries(pdf: pikepdf.Pdf) -> InfoEntries:
    """The original's document information, detached from its document (a plan outlives it)."""
    entries = []
    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary):
        return ()
    for key, value in info.items():
        if key in ("/ExLibrisOrder", "/ExLibrisCode"):
            continue
        if isinstance(value, pikepdf.String):
            entries.append((str(key), bytes(value), True))
        elif isinstance(value, bool):  # before int: a bool is one, and str(True) is no PDF
            entries.append((str(key), b"true" if value else b"false", False))
        elif isinstance(value, pikepdf.Name | int | float):
            text = value.unparse() if isinstance(value, pikepdf.Name) else str(value).encode()
            entries.append((str(key), text, False))
    return tuple(entries)


def info_dictionary(entries: InfoEntries, order_id: str, code: str) -> pikepdf.Dictionary:
    """The copy's document information: the original's, plus the order and the code."""
    info = pikepdf.Dictionary()
    for key, value, is_string in entries:
        info[key] = pikepdf.String(value) if is_string else pikepdf.Object.parse(value)
    info[pikepdf.Name("/ExLibrisOrder")] = pikepdf.String(order_id)
    info[pikepdf.Name("/ExLibrisCode")] = pikepdf.String(code)
    return info


_ORDER_TOKEN, _CODE_TOKEN = "EXLIBRISORDERPLACEHOLDERX", "EXLIBRISCODEPLACEHOLDERX"


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"
_PACKET_BEGIN = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_PACKET_END = b'\n<?xpacket end="w"?>'
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def xmp_template(pdf: pikepdf.Pdf) -> bytes:
    """The book's XMP packet with the marks as placeholders (a new packet if it is unreadable).

    Written with lxml rather than pikepdf's metadata editor, which takes half a
    second on a big book; a damaged or missing packet never stops a stamp.
    """
    root = _xmp_tree(pdf)
    rdf = root.find(f".//{{{_RDF}}}RDF")
    if rdf is None:
        rdf = etree.SubElement(root, f"{{{_RDF}}}RDF")
    for old in rdf.findall(f"{{{_RDF}}}Description"):
        for mark in old.findall(f"{{{XMP_NS}}}*"):
            old.remove(mark)  # an original that was itself a stamped copy
    ours = etree.SubElement(
        rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""}, nsmap={XMP_PREFIX: XMP_NS}
    )
    etree.SubElement(ours, f"{{{XMP_NS}}}OrderId").text = _ORDER_TOKEN
    etree.SubElement(ours, f"{{{XMP_NS}}}StampCode").text = _CODE_TOKEN
    body: bytes = etree.tostring(root, encoding="utf-8")
    return _PACKET_BEGIN + body + _PACKET_END


def _xmp_tree(pdf: pikepdf.Pdf) -> etree._Element:
    stream = pdf.Root.get("/Metadata")
    if isinstance(stream, pikepdf.Stream):
        try:
            root = etree.fromstring(read_stream(stream, "this PDF's XMP").strip(), _PARSER)
            if root.tag == f"{{{_X}}}xmpmeta" or root.tag == f"{{{_RDF}}}RDF":
                return root if root.tag == f"{{{_X}}}xmpmeta" else _wrapped(root)
        except (pikepdf.PdfError, etree.XMLSyntaxError, ValueError):
            pass  # undecodable or not XML: the copy gets a fresh packet
    return etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X, "rdf": _RDF})


def _wrapped(rdf: etree._Element) -> etree._Element:
    meta = etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X})
    meta.append(rdf)
    return meta


def fill_xmp(template: bytes, order_id: str, code: str) -> bytes:
    """The copy's XMP packet: the placeholders replaced by the order and code, XML-escaped."""
    return template.replace(_ORDER_TOKEN.encode(), _escaped(order_id)).replace(
        _CODE_TOKEN.encode(), _escaped(code)
    )


# XML's five (xml.sax.saxutils would do, but importing it loads urllib and http.client).
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def _escaped(text: str) -> bytes:
    return text.translate(_ENTITIES).encode()
