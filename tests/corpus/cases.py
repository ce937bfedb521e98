"""The corpus cases, each named for what is odd about it and for the issue that found it.

Issue 14 part 3 ("What other projects' test suites found") came from 1,236
PDFs of four public test suites; these cases rebuild each kind of file that
crashed, was refused or lost its footer there.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.corpus.case import Case
from tests.corpus.writer import CONTENT, book, object_stream, stream, write, write_compressed
from tests.support import pdfs

I14 = "issue 14"
I26 = "issue 26"
_GARBAGE = b"x\x9c\x00\x01 this is not a deflate stream " * 3


def _broken_flate(entries: bytes) -> bytes:
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (
        len(_GARBAGE),
        entries,
        _GARBAGE,
    )


def _with_content(content: bytes) -> Callable[[], bytes]:
    return lambda: book(content=content)


def _outline_in_a_lost_object_stream() -> bytes:
    """Bookmarks stored in an object stream indexed by a hybrid file's /XRefStm, whose offset
    is wrong: qpdf repairs the file without them (issue 14: two books lost their outline)."""
    items = {
        6: b"<< /Type /Outlines /First 7 0 R /Last 8 0 R /Count 2 >>",
        7: b"<< /Title (Chapter 1) /Parent 6 0 R /Next 8 0 R /Dest [5 0 R /Fit] >>",
        8: b"<< /Title (Chapter 2) /Parent 6 0 R /Prev 7 0 R /Dest [5 0 R /Fit] >>",
    }
    rows = b"".join(bytes([2]) + (10).to_bytes(2, "big") + bytes([i]) for i in range(3))
    xref = stream(rows, b"/Type /XRef /W [1 2 1] /Index [6 3] /Size 12", compress=True)
    extra = {10: object_stream(items), 11: xref}
    return book(catalog=b"/Outlines 6 0 R", extra=extra, trailer=b"/XRefStm 9")


def _xref_loop_frees_the_outline() -> bytes:
    """An update whose cross-reference section frees the outline's objects and names itself as
    /Prev (qpdf's append-xref-loop.pdf): qpdf keeps the free entries it read before finding the
    loop, and the book lost its bookmarks (11 to 0), while poppler and MuPDF show them."""
    items = {
        6: b"<< /Type /Outlines /First 7 0 R /Last 8 0 R /Count 2 >>",
        7: b"<< /Title (Chapter 1) /Parent 6 0 R /Next 8 0 R /Dest [5 0 R /Fit] >>",
        8: b"<< /Title (Chapter 2) /Parent 6 0 R /Prev 7 0 R /Dest [5 0 R /Fit] >>",
    }
    data = book(catalog=b"/Outlines 6 0 R", extra=items)
    at = len(data)
    freed = b"0000000000 00001 f \n" * 3
    return data + (
        b"xref\n0 1\n0000000000 65535 f \n6 3\n%s"
        b"trailer\n<< /Size 9 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (freed, at, at)
    )


def _gbk_font() -> bytes:
    """A Chinese font named in GBK (宋体), not UTF-8, as its resource name too."""
    content = CONTENT.replace(b"/F1", b"/#CB#CE#CC#E5")
    data = book(content=content)
    data = data.replace(b"/Font << /F1 4 0 R >>", b"/Font << /#CB#CE#CC#E5 4 0 R >>")
    return data.replace(b"/BaseFont /Helvetica", b"/BaseFont /#CB#CE#CC#E5")


def _object_stream_of_70000() -> bytes:
    """An object stream of 70,000 bookmarks' titles (pdf.js bug1978317 is a big book): an
    index past 65,535 needs a third byte in the cross-reference stream qpdf writes for it."""
    packed = {n: b"(Item %d)" % n for n in range(10, 70_010)}
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Titles 6 0 R >>",
        2: b"<< /Type /Pages /Kids [5 0 R] /Count 1 /MediaBox [0 0 300 400] >>",
        3: stream(CONTENT),
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
        6: b"[" + b" ".join(b"%d 0 R" % n for n in packed) + b"]",
    }
    return write_compressed(objects, packed, 9)


def _null_kid() -> bytes:
    """A page tree naming a missing object beside a real page."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [5 0 R 99 0 R] /Count 2 /MediaBox [0 0 300 400] >>",
        3: stream(CONTENT),
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        5: b"<< /Type /Page /Parent 2 0 R /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>",
    }
    return write(objects)


def _only_null_kids() -> bytes:
    return _null_kid().replace(b"/Kids [5 0 R 99 0 R] /Count 2", b"/Kids [99 0 R] /Count 1")


CASES = [
    # Broken parts the stamp does not need: replaced or left, never fatal.
    Case("xmp-broken-flate", I14, lambda: book(
        catalog=b"/Metadata 6 0 R",
        extra={6: _broken_flate(b"/Type /Metadata /Subtype /XML")},
    )),
    Case("xmp-not-xml", I14, lambda: book(
        catalog=b"/Metadata 6 0 R",
        extra={6: stream(b"<x:xmpmeta><rdf:RDF>unclosed", b"/Type /Metadata /Subtype /XML")},
    )),
    Case("info-is-a-stream", I14, lambda: book(trailer=b"/Info 3 0 R")),
    Case("info-missing", I14, lambda: book(trailer=b"/Info 99 0 R")),
    Case("outline-loop", I14, lambda: book(catalog=b"/Outlines 6 0 R", extra={
        6: b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
        7: b"<< /Title (Again) /Parent 6 0 R /Next 7 0 R /Dest [5 0 R /Fit] >>",
    })),
    Case("xref-loop-frees-the-outline", I26, _xref_loop_frees_the_outline),
    Case("outline-not-a-dictionary", I14, lambda: book(
        catalog=b"/Outlines 6 0 R", extra={6: b"[1 2 3]"}
    )),
    Case("outline-in-a-lost-object-stream", I14, _outline_in_a_lost_object_stream,
         warning="lost the outline"),
    Case("annots-null", I14, lambda: book(page=b"/Annots null")),
    Case("annots-with-nulls", I14, lambda: book(page=b"/Annots [null 99 0 R (text) 7]")),
    Case("page-labels-garbage", I14, lambda: book(catalog=b"/PageLabels 6 0 R", extra={
        6: b"<< /Nums [0 (x) /y 5] >>",
    })),
    Case("font-name-gbk", I14, _gbk_font),
    Case("page-tree-null-kid", I14, _null_kid),
    # Page content that would hide a footer drawn after it, in poppler.
    Case("content-unmatched-Q-then-clip", I14,
         _with_content(b"Q Q 0 0 1 1 re W n " + CONTENT), warning="restores more"),
    Case("content-unmatched-Q-then-scale", I14,
         _with_content(b"Q 0.01 0 0 0.01 0 0 cm " + CONTENT), warning="restores more"),
    Case("content-ETBT-glued", I14, _with_content(CONTENT[:-3] + b" ETBT")),
    Case("content-text-object-left-open", I14, _with_content(CONTENT + b" BT")),
    Case("content-too-few-operands-at-end", I14, _with_content(CONTENT + b" 1 0 0 cm"),
         warning="'cm' has 3 of its 6 operands"),
    Case("content-too-few-operands-mid-page", I14,
         _with_content(b"BT /F1 Tf 100 200 Td (Hello) Tj ET"),
         warning="'Tf' has 1 of its 2 operands (stamped, such a page is drawn as a form"),
    # pikepdf's ctm_cm.pdf: `0 cm` between balanced q/Q; poppler stopped there, footer unseen.
    Case("content-cm-short-mid-page", I26, _with_content(
        b"q 1 0 0 1 10 10 cm " + CONTENT + b" Q q 0 cm " + CONTENT + b" Q q 2 0 0 2 2 2 cm Q"),
         warning="'cm' has 1 of its 6 operands"),
    # pdf.js's issue2391-1.pdf: balanced, but an unknown operator eats `10`, leaving `Tf` short.
    Case("content-unknown-operator-mid-page", I26, _with_content(
        b"q 0.1 0 0 0.1 0 0 cm 0 g q 10 0 0 10 0 0 cm BT undefined 10 Tf /F1 10 Tf "
        b"1 0 0 1 10 200 Tm (test command with wrong number of args) Tj ET Q Q"),
         warning="'Tf' has 1 of its 2 operands"),
    Case("content-undefined-font", I14, _with_content(b"BT /F9 12 Tf 100 200 Td (x) Tj ET")),
    Case("content-open-string", I14, _with_content(CONTENT + b" (never closed")),
    Case("content-open-array", I14, _with_content(CONTENT + b" [ 1 2")),
    Case("content-open-dictionary", I14, _with_content(CONTENT + b" << /A 1")),
    Case("content-dangling-operands", I14, _with_content(CONTENT + b" 1 2")),
    Case("content-unclosed-q-after-scale", I14, _with_content(b"2 0 0 2 0 0 cm q " + CONTENT)),
    Case("content-broken-flate", I14, lambda: book(content_object=_broken_flate(b"")),
         warning="cannot be decoded"),
    # Issue 26: peers' test suites (qpdf xref-compressed-in-compressed.pdf has garbage bytes
    # where its page content was; pdf.js bug1978317.pdf a cross-reference field of 3 bytes).
    Case("content-operator-not-utf8", I26, _with_content(CONTENT + b" \xa7\xe9 1")),
    Case("object-stream-index-past-65535", I26, _object_stream_of_70000, slow=True),
    # Books the stamp treats specially.
    Case("one-page-book", I14, lambda: book(), skip_pages=1, warning="the last page is stamped"),
    Case("page-too-small", I14, lambda: book(pages=b"/MediaBox [0 0 72 50]"),
         warning="too small for a legible footer"),
    # Issue 26: small crashes.
    Case("rotate-is-a-name", I26, lambda: book(page=b"/Rotate /Ninety")),
    Case("info-booleans", I26, lambda: book(trailer=b"/Info 6 0 R", extra={
        6: b"<< /Author (Booleans) /CreationDate false /Trapped true >>",
    })),
    # Refused, in words.
    Case("no-readable-page", I14, _only_null_kids, refusal="no readable page"),
    Case("no-pages", I14, lambda: book().replace(b"/Kids [5 0 R] /Count 1", b"/Kids [] /Count 0"),
         refusal="no readable page"),
    Case("not-a-pdf", I14, lambda: b"<html>not a book</html>", refusal="a PDF"),
    Case("truncated", I14, lambda: pdfs.truncated(), refusal="damaged beyond repair"),
    Case("open-password", I14, lambda: pdfs.encrypted(owner="o", user="u"), refusal="password"),
]  # fmt: skip
