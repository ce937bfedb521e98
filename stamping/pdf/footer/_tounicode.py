"""ToUnicode CMaps: what text each glyph code of a footer font stands for.

A copied or searched footer reads back through this map (PDF 32000-1, 9.10.3).
Codes are two bytes (Identity-H); a code may stand for several characters
(a ligature, an Indic conjunct, a mark stack), written as UTF-16BE. A glyph
that stands for nothing (the second glyph of a cluster whose text went to the
first) maps to U+200B ZERO WIDTH SPACE' absence: it is simply left out, and
readers then add no character for it.
"""

from __future__ import annotations

from collections.abc import Mapping

_HEADER = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_FOOTER = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
_BLOCK = 100  # bfchar entries per block, the most the format allows


def to_unicode_cmap(texts: Mapping[int, str]) -> bytes:
    """A CMap mapping each code to its text (possibly empty)."""
    entries = sorted(texts.items())
    parts = [_HEADER]
    for start in range(0, len(entries), _BLOCK):
        block = entries[start : start + _BLOCK]
        parts.append(f"{len(block)} beginbfchar\n".encode())
        parts += [
            f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>\n".encode()
            for code, text in block
        ]
        parts.append(b"endbfchar\n")
    parts.append(_FOOTER)
    return b"".join(parts)
