"""Opening an author's original: repair what qpdf can, refuse the rest in words.

qpdf repairs a damaged cross-reference table by itself. One damage it trips
over is a page tree naming an object that is not a page (a null kid): it
fails while pushing inherited attributes down. Such a file is opened without
that step, the non-pages are pruned from the tree, and it is written and read
again, so a book with one readable page still stamps. Only a file with no
readable page is refused. A repair that lost an outline the file still holds
is tried again from the file's objects alone (_outline_scan.py); when that
does not bring it back, `open_noted` says so.
"""

from __future__ import annotations

import io
import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf

from stamping.limits import LimitExceeded, current
from stamping.pdf._outline_scan import Buffer, lost_outline, outline_items_in, rescan
from stamping.pdf._prescan import prescan
from stamping.stamp import StampError


def open_original(data: bytes | Path) -> pikepdf.Pdf:
    """Open an original (bytes, or a file qpdf reads as it goes); StampError if it cannot,
    LimitExceeded (a StampError) if it costs more than the limits allow."""
    return open_noted(data)[0]


def open_noted(data: bytes | Path) -> tuple[pikepdf.Pdf, tuple[str, ...]]:
    """open_original, and what its repair lost that every copy misses (the outline), in words."""
    head = data[:1024] if isinstance(data, bytes) else _head(data)
    if b"%PDF-" not in head:
        raise StampError("this file is not a PDF (it does not start with %PDF-)")
    check_structure(data)
    pdf = _open(data)
    try:
        check_pages(pdf)
        # qpdf hands its warnings over once: they say whether it repaired the file at all.
        if not pdf.get_warnings() or _has_outline(pdf):
            return pdf, ()
        return _with_outline(pdf, data)
    except BaseException:
        pdf.close()
        raise


def _with_outline(pdf: pikepdf.Pdf, data: bytes | Path) -> tuple[pikepdf.Pdf, tuple[str, ...]]:
    """A repaired `pdf` without an outline, or the file opened again from its objects alone
    when that keeps the outline qpdf's repair lost (an xref chain that loops, and free entries
    read before the loop); a note when the file holds bookmarks that neither keeps."""
    with _buffer(data) as buffer:
        found = outline_items_in(buffer)
        if not found:
            return pdf, ()
        try:
            again = _open(rescan(buffer))
        except StampError:
            return pdf, (lost_outline(found),)
    if _has_outline(again) and len(again.pages) == len(pdf.pages):
        pdf.close()
        return again, ()
    again.close()
    return pdf, (lost_outline(found),)


def _has_outline(pdf: pikepdf.Pdf) -> bool:
    outlines = pdf.Root.get("/Outlines")
    return isinstance(outlines, pikepdf.Dictionary) and "/First" in outlines


@contextmanager
def _buffer(data: bytes | Path) -> Iterator[Buffer]:
    if isinstance(data, bytes):
        yield data
        return
    with data.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        yield m


def check_structure(data: bytes | Path) -> None:
    """Refuse what qpdf itself would inflate past the limits, before it opens the file."""
    if isinstance(data, bytes):
        prescan(data, current())
        return
    with data.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        prescan(m, current())


def check_pages(pdf: pikepdf.Pdf) -> None:
    """LimitExceeded for a PDF with more pages than any book."""
    most = current().limits.pages
    if len(pdf.pages) > most:
        raise LimitExceeded(f"this PDF has more than {most:,} pages", "pages")


def _open(data: bytes | Path) -> pikepdf.Pdf:
    try:
        try:
            return pikepdf.open(_source(data))
        except pikepdf.PasswordError:
            raise
        except pikepdf.PdfError as exc:
            repaired = _pruned(data)
            if repaired is None:
                raise exc from None
            return pikepdf.open(io.BytesIO(repaired))
    except pikepdf.PasswordError:
        raise StampError(
            "the PDF needs a password to open; export it again without an open password "
            "(restrictions on printing or copying are fine)"
        ) from None
    except pikepdf.PdfError as exc:
        reason = describe(exc)
        if re.search(r"\bpages?\b|page tree", reason):
            raise StampError(f"the PDF has no readable page ({reason})") from None
        raise StampError(f"the PDF is damaged beyond repair ({reason})") from None


# qpdf names its input first: a Python stream by its repr, a file by its path.
_SOURCE = re.compile(
    r"^(?:stream )?(?:<[^>]*>|\S+\.pdf)(?: \(object \d+ \d+(?:, offset \d+)?\))?:\s*"
)


def describe(exc: Exception) -> str:
    """A qpdf error in words for an author: without the repr of the stream it was read from."""
    text = _SOURCE.sub("", str(exc).strip()) or type(exc).__name__
    return re.sub(r"<_io\.\w+ object at 0x[0-9a-f]+>", "the file", text)


def _source(data: bytes | Path) -> io.BytesIO | Path:
    return io.BytesIO(data) if isinstance(data, bytes) else data


def _pruned(data: bytes | Path) -> bytes | None:
    """The file rewritten with only dictionaries left in its page tree; None if that fails too."""
    try:
        with pikepdf.open(_source(data), inherit_page_attributes=False) as pdf:
            pages = pdf.trailer.get("/Root", pikepdf.Dictionary()).get("/Pages")
            if not isinstance(pages, pikepdf.Dictionary):
                return None
            if not _prune(pages, 0):
                raise StampError("the PDF has no readable page: its page tree names none")
            out = io.BytesIO()
            pdf.save(out)
            return out.getvalue()
    except pikepdf.PdfError:
        return None


def _prune(node: pikepdf.Dictionary, depth: int) -> int:
    """Drop kids that are not dictionaries, fix /Count; the pages left under node."""
    kids = node.get("/Kids")
    if not isinstance(kids, pikepdf.Array):
        return 1 if node.get("/Type") == pikepdf.Name.Page else 0
    if depth > 64:  # a loop in the tree
        return 0
    kept = [kid for kid in kids if isinstance(kid, pikepdf.Dictionary)]
    counts = [_prune(kid, depth + 1) for kid in kept]
    node.Kids = pikepdf.Array([kid for kid, n in zip(kept, counts, strict=True) if n])
    node.Count = total = sum(counts)
    return total


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(1024)
