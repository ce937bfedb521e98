"""Tracing: which order an EPUB copy was issued for, from whatever marks survive.

A leaked copy may have been unzipped, edited and zipped again: its OPF
rewritten, its ex-libris page deleted, its footers stripped. So nothing here
trusts the structure; every text entry of the zip is searched for every mark
(marks.py), and the most telling one wins. A broken entry is skipped, never
fatal; only a file that is not a zip at all is a TraceError. The package
document is the one META-INF/container.xml names, whatever its name, and
any entry named .opf.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass

import stamping.epub.marks as marks
import stamping.epub.xmltext as xmltext
from stamping.epub.archive import check_directory
from stamping.limits import LimitExceeded, current, size
from stamping.stamp import StampError, TraceError

__all__ = ["CODE_MARKS", "Trace", "TraceError", "read_all_marks", "read_marks", "trace_epub"]

_ORDER_MARKS = ("opf", "zip-comment", "comment", "attribute")
CODE_MARKS = (*_ORDER_MARKS, "footer", "exlibris-page")  # the order a finding lists them in
_TEXT = (".xhtml", ".html", ".htm", ".xml", ".svg", ".opf")
_CONTAINER = "META-INF/container.xml"
_ROOTFILE = "{urn:oasis:names:tc:opendocument:xmlns:container}rootfile"
_MAX_CONTAINER = 64 * 1024  # a real one is a few hundred bytes


@dataclass(frozen=True)
class Trace:
    order_id: str | None
    code: str | None
    marks: tuple[str, ...]  # which marks were found


def trace_epub(data: bytes) -> Trace:
    """Read every surviving mark of a (possibly tampered) copy."""
    found = read_marks(data)
    order = next((found[m][0] for m in _ORDER_MARKS if m in found and found[m][0]), None)
    code = next((found[m][1] for m in CODE_MARKS if m in found and found[m][1]), None)
    return Trace(order_id=order, code=code, marks=tuple(m for m in CODE_MARKS if m in found))


def read_marks(data: bytes, where: dict[str, str] | None = None) -> marks.Found:
    """Every mark of a copy, each as the first place carrying it says; TraceError if no zip.

    `where`, if given, is filled with the entry each mark was read in (mark -> entry name)."""
    check_directory(data)  # the limits, from the directory, before zipfile reads it
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TraceError(f"cannot read this file as an EPUB: {exc}") from None
    return read_all_marks(archive, where)


def read_all_marks(archive: zipfile.ZipFile, where: dict[str, str] | None = None) -> marks.Found:
    """Every mark in the archive; the first place each is found wins (and goes in `where`)."""
    found = marks.read_zip_comment(archive.comment)
    packages = _package_names(archive)
    limits = current().limits
    texts = [
        (info, info.filename in packages or info.filename.lower().endswith(".opf"))
        for info in archive.infolist()
        if info.filename in packages or info.filename.lower().endswith(_TEXT)
    ]
    total = sum(info.file_size for info, _ in texts)
    if total > limits.inflated:  # from the directory, before reading any
        raise LimitExceeded(
            f"this EPUB's documents unpack to {size(total)}, past {size(limits.inflated)}",
            "inflated",
        )
    for info, package in texts:
        if info.file_size > limits.stream:
            continue
        raw = _read(archive, info)
        if raw is None:
            continue
        here = marks.read_opf_marks(raw) if package else _text_marks(raw)
        for mark, pair in here.items():
            if mark not in found:
                found[mark] = pair
                if where is not None:
                    where[mark] = info.filename
        if set(CODE_MARKS) <= found.keys():
            break
    return found


def _package_names(archive: zipfile.ZipFile) -> frozenset[str]:
    """The package documents container.xml names (a rebuilt book may call its OPF anything)."""
    try:
        info = archive.getinfo(_CONTAINER)
    except KeyError:
        return frozenset()
    raw = _read(archive, info) if info.file_size <= _MAX_CONTAINER else None
    if not raw:
        return frozenset()
    try:
        root = xmltext.parse(raw, "META-INF/container.xml")
    except (ET.ParseError, StampError):
        return frozenset()
    return frozenset(path for e in root.iter(_ROOTFILE) if (path := e.get("full-path")))


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError):
        return None  # damaged or encrypted entry: other marks may still tell


def _text_marks(raw: bytes) -> marks.Found:
    try:
        source, _ = xmltext.decode(raw, "document")
    except StampError:
        source = raw.decode("utf-8", "replace")
    return marks.read_text_marks(source)
