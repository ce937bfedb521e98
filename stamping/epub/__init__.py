"""EPUB stamping: an ex-libris page, a line at each chapter's end, hidden marks, tracing, preflight.

Bytes in, bytes out, like pdf/. The copy keeps every entry of the original;
entries it does not change are copied as their compressed bytes (archive.py,
writer.py), so a 10 MB book costs little more than copying the file. `EPUB`
is this format's engine as the registry (stamping/formats.py) uses it.
"""

from stamping.epub._format import EPUB

__all__ = ["EPUB"]
