"""A page carrying the line-shift mark, as the plan writes it per copy: its list of content streams.

The placeholder qpdf wrote for the page lists every stream the page may show:
the opening, the shared pieces of its content, both moves (up, then down) of
each marked line's runs, and the closing. A copy's list keeps the pieces and,
for each move, the one its pattern picks (stamping/pdf/lineshift). The list
is cut once into the bytes every copy writes and the choices between them,
so a copy costs one join: about a tenth of a millisecond for a TeX page.
"""

from __future__ import annotations

from dataclasses import dataclass

from stamping.pdf.lineshift import Move, pattern

Choice = tuple[int, bytes, bytes]  # the marked line, the bytes naming its move up, down


@dataclass(frozen=True)
class Carrier:
    number: int  # the object number of the page's list
    page: int  # 1-based
    parts: tuple[bytes | Choice, ...]
    marks: int  # marked lines on the page

    @classmethod
    def of(
        cls, number: int, page: int, refs: tuple[int, ...], template: tuple[Move | None, ...]
    ) -> Carrier:
        """The carrier of a placeholder listing `refs`, one per None of `template` and two (up,
        down) per move."""
        named = iter(b"%d 0 R " % ref for ref in refs)
        parts: list[bytes | Choice] = [b"%d 0 obj\n[" % number]
        for move in template:
            if move is None:
                fixed = next(named)
                last = parts[-1]
                parts[-1:] = [last + fixed] if isinstance(last, bytes) else [last, fixed]
            else:
                parts.append((move.mark, next(named), next(named)))
        parts.append(b"]\nendobj\n")
        marks = max((m.mark + 1 for m in template if m is not None), default=0)
        return cls(number, page, tuple(parts), marks)

    def contents(self, code: str) -> bytes:
        """`N 0 obj [...] endobj`: the page's content streams in the copy of this code."""
        up = pattern(code, self.page, self.marks)
        return b"".join(
            part if isinstance(part, bytes) else part[1] if up[part[0]] else part[2]
            for part in self.parts
        )
