"""The hidden marks a copy carries (info, XMP, PieceInfo, content, body) and their readers."""

from stamping.pdf.marks._body_mark import body_mark, read_body_text
from stamping.pdf.marks._marks import (
    InfoEntries,
    content_comment,
    fill_xmp,
    id_bytes,
    info_dictionary,
    info_entries,
    piece_entries,
    second_id,
    xmp_template,
)
from stamping.pdf.marks._reader import document_marks, page_marks

__all__ = [
    "InfoEntries",
    "body_mark",
    "content_comment",
    "document_marks",
    "fill_xmp",
    "id_bytes",
    "info_dictionary",
    "info_entries",
    "page_marks",
    "piece_entries",
    "read_body_text",
    "second_id",
    "xmp_template",
]
