"""A page carrying the line-shift mark, as the plan writes it per copy: its list of content streams.

The placeholder qpdf wrote for the page lists every stream the page may show:
the opening, the shared pieces of its content, both moves (up, then down) of
each marked line's runs, and the closing. A copy's list keeps the pieces and,
for each move, the one its pattern picks (stamping/pdf/lineshift).
"""

from __future__ import annotations

from dataclasses import dataclass

from stamping.pdf.lineshift import Move, pattern


@dataclass(frozen=True)
class Carrier:
    number: int  # the object number of the page's list
    page: int  # 1-based
    refs: tuple[int, ...]  # what the placeholder lists, in order (two per move)
    template: tuple[Move | None, ...]  # per item: None for a stream kept, the move for a pair

    def contents(self, code: str) -> bytes:
        """`N 0 obj [...] endobj`: the page's content streams in the copy of this code."""
        count = max((m.mark + 1 for m in self.template if m is not None), default=0)
        up = pattern(code, self.page, count)
        refs = iter(self.refs)
        chosen = []
        for move in self.template:
            first = next(refs)
            chosen.append(first if move is None else (first, next(refs))[0 if up[move.mark] else 1])
        listed = b" ".join(b"%d 0 R" % number for number in chosen)
        return b"%d 0 obj\n[%s]\nendobj\n" % (self.number, listed)
