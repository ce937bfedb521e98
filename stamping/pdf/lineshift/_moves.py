"""A carrying page's content cut where its marked lines move, and each copy's pattern of moves.

The page's content is written anew as pieces every copy shares, with a move
between them wherever a marked line's run starts (`0 e Td`) or ends
(`0 -e Td`, back). Which way each marked line moves, up or down, is the
copy's: one bit per marked line, drawn from the copy's stamp code (an HMAC
of the order, common/codes), the page and the line. A copy's own object is
then only the page's list of content streams, naming for each move the
shared stream that goes up or the one that goes down.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pikepdf

from stamping.pdf.lineshift._lines import SHIFT_PT, Instruction, PageLines


@dataclass(frozen=True)
class Move:
    """Where a marked line moves: `sign` +1 moves it, -1 moves it back; `e` is SHIFT_PT in
    the run's text space."""

    mark: int  # which marked line of the page, top to bottom
    sign: int
    e: float

    def offset(self, up: bool) -> float:
        """The `Td` operand that moves this copy's line up (or down) or back."""
        return round(self.sign * (self.e if up else -self.e), 5)


Piece = bytes | Move


def pieces(lines: PageLines) -> list[Piece]:
    """The page's content as shared pieces and the moves between them."""
    after: dict[int, list[Move]] = {}
    before: dict[int, list[Move]] = {}
    for mark, index in enumerate(lines.marked):
        for run in lines.lines[index].runs:
            e = SHIFT_PT / run.scale
            (before if run.before else after).setdefault(run.at, []).append(Move(mark, 1, e))
            after.setdefault(run.last, []).append(Move(mark, -1, e))
    out: list[Piece] = []
    chunk: list[Instruction] = []
    for index, instruction in enumerate(lines.instructions):
        if index in before:
            out += [*_flushed(chunk), *before[index]]
            chunk = []
        chunk.append(instruction)
        if index in after:
            out += [*_flushed(chunk), *after[index]]
            chunk = []
    return out + _flushed(chunk)


def _flushed(chunk: list[Instruction]) -> list[Piece]:
    return [pikepdf.unparse_content_stream(chunk) + b"\n"] if chunk else []


def pattern(code: str, page: int, count: int) -> list[bool]:
    """Which of a page's `count` marked lines move up (True) in the copy of this code."""
    seed = f"exlibris/line-shift|{code}|{page}".encode()
    bits = hashlib.shake_256(seed).digest((count + 7) // 8)
    return [bool(bits[i // 8] >> (i % 8) & 1) for i in range(count)]


def move_stream(offset: float) -> bytes:
    """The content of the shared stream that moves a line by `offset` in its text space."""
    return f"0 {offset:.5f} Td\n".encode()
