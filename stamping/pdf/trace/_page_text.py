"""The text a page shows, run by run, and whether each run is visible: what trace reads.

A run is the text of one text object (BT … ET), in drawing order, with the
render mode it was drawn in, so the footer's code (visible) and the body mark
(render mode 3) are told apart. Form XObjects are followed, as viewers draw
them. Only what finding a stamp code needs is modelled: fonts, render mode,
q/Q; not positions. A page whose content cannot be parsed reads as no text.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

from stamping.pdf._streams import parsable
from stamping.pdf.trace._text_decoding import Decoder, font_decoder

_OPERATORS = "q Q BT ET Tf Tr Tj TJ ' \" Td TD Tm T* Do"
_MOVES = frozenset(("Td", "TD", "Tm", "T*", "'", '"'))  # a new position: a word or line gap
_MAX_DEPTH = 8  # nested forms; deeper is a loop or an attack
_SPACE_KERN = -200  # a TJ adjustment this wide (thousandths of an em) reads as a word gap


@dataclass(frozen=True)
class Run:
    text: str
    invisible: bool


def page_runs(page: pikepdf.Page) -> list[Run]:
    """Every run of text the page draws, its forms' included."""
    reader = _Reader()
    reader.read(page.obj, page.obj.get("/Resources"), 0)
    return reader.runs


class _Reader:
    def __init__(self) -> None:
        self.runs: list[Run] = []
        self._decoders: dict[tuple[int, int], Decoder] = {}

    def read(self, holder: pikepdf.Object, resources: object, depth: int) -> None:
        try:
            with warnings.catch_warnings():  # broken content is an attacker's, not a bug of ours
                warnings.simplefilter("ignore", UserWarning)
                target = parsable(holder, "this PDF's page content")  # within the limits
                instructions = (
                    pikepdf.parse_content_stream(target, _OPERATORS) if target is not None else []
                )
        except (pikepdf.PdfError, ValueError, TypeError):
            return  # broken content: viewers show what they can, trace reads nothing
        fonts = _category(resources, "/Font")
        state: list[tuple[Decoder | None, int]] = [(None, 0)]  # font, render mode; q/Q stack
        chunks: list[str] = []
        shown_mode = 0  # the render mode of the text in chunks
        for instruction in instructions:
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue  # an inline image
            operands, name = instruction.operands, str(instruction.operator)
            decoder, mode = state[-1]
            if name in _MOVES and chunks:
                chunks.append(" ")
            if name == "q":
                state.append(state[-1])
            elif name == "Q" and len(state) > 1:
                state.pop()
            elif name == "Tf" and operands:
                state[-1] = (self._decoder(_lookup(fonts, operands[0])), mode)
            elif name == "Tr" and operands:
                state[-1] = (decoder, _int(operands[0]))
            elif name in ("Tj", "'", '"', "TJ") and operands:
                if _invisible(mode) != _invisible(shown_mode):
                    self._flush(chunks, shown_mode)
                shown_mode = mode
                chunks.append(_shown(operands[-1], decoder))
            elif name == "ET":
                self._flush(chunks, shown_mode)
            elif name == "Do" and operands and depth < _MAX_DEPTH:
                xobject = _lookup(_category(resources, "/XObject"), operands[0])
                self._form(xobject, resources, depth)
        self._flush(chunks, shown_mode)

    def _flush(self, chunks: list[str], mode: int) -> None:
        text = "".join(chunks)
        if text.strip():
            self.runs.append(Run(text=" ".join(text.split()), invisible=_invisible(mode)))
        chunks.clear()

    def _form(self, xobject: object, resources: object, depth: int) -> None:
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == pikepdf.Name.Form:
            # A form without resources uses its parent's, as viewers allow (PDF 1.1 style).
            self.read(xobject, xobject.get("/Resources", resources), depth + 1)

    def _decoder(self, font: object) -> Decoder | None:
        if not isinstance(font, pikepdf.Object) or not font.is_indirect:
            return font_decoder(font)
        if font.objgen not in self._decoders:
            self._decoders[font.objgen] = font_decoder(font)
        return self._decoders[font.objgen]


def _invisible(mode: int) -> bool:
    return mode in (3, 7)  # neither fill nor stroke (7 also clips, still paints nothing)


def _category(resources: object, key: str) -> pikepdf.Dictionary:
    table = resources.get(key) if isinstance(resources, pikepdf.Dictionary) else None
    return table if isinstance(table, pikepdf.Dictionary) else pikepdf.Dictionary()


def _lookup(table: pikepdf.Dictionary, name: object) -> object:
    """The resource a name operand names; by the Name itself, as names need not be UTF-8."""
    return table.get(name) if isinstance(name, pikepdf.Name) else None


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float | Decimal) else 0


def _shown(operand: object, decoder: Decoder | None) -> str:
    decode = decoder or (lambda data: data.decode("cp1252", "replace"))
    if isinstance(operand, pikepdf.String):
        return decode(bytes(operand))
    if isinstance(operand, pikepdf.Array):
        parts = []
        for item in operand:
            if isinstance(item, pikepdf.String):
                parts.append(decode(bytes(item)))
            elif isinstance(item, int | float | Decimal) and float(item) < _SPACE_KERN:
                parts.append(" ")
        return "".join(parts)
    return ""
