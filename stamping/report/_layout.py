"""A small PDF writer for the evidence report: wrapped Helvetica text and grey pictures.

The report is made wherever exlibris runs (the author's console, the
dashboard), so it uses only what every install has: pikepdf, a runtime
dependency, and the standard 14 fonts, which a PDF viewer must supply and a
PDF need not embed (ISO 32000-1, 9.6.2.2). Their encoding is WinAnsi: a
character outside it is written as its \\u escape, so nothing is dropped and
nothing is shown as something else. The widths are Adobe's metrics for
Helvetica and Helvetica-Bold (ASCII; any other character is counted wide, so
a line wraps early rather than runs over). Pictures are PNGs as pdftoppm
writes them (8-bit grey or RGB, not interlaced): their compressed data goes
into the PDF as is, with the PNG predictor, so no image library is needed.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from datetime import datetime

import pikepdf

Name = pikepdf.Name
WIDTH, HEIGHT = 612.0, 792.0  # US Letter: the notice goes to US service providers
MARGIN = 54.0
TEXT_WIDTH = WIDTH - 2 * MARGIN
_BOTTOM = MARGIN + 24  # room for the running footer
PICTURE_HEIGHT = 150.0  # the tallest a page's picture is drawn, in points (plus its caption)
# Adobe AFM widths (1/1000 em) of ASCII 32-126, Helvetica and Helvetica-Bold.
_WIDTHS = {
    "F1": [
        *(278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278),
        *(556,) * 10,
        *(278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278),
        *(500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667),
        *(611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222),
        *(222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500),
        *(500, 334, 260, 334, 584),
    ],
    "F2": [
        *(278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278),
        *(556,) * 10,
        *(333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278),
        *(556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667),
        *(611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278),
        *(278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556),
        *(500, 389, 280, 389, 584),
    ],
}
_WIDE = 1000  # a non-ASCII WinAnsi character: counted as wide as any glyph can be


class BadPicture(ValueError):
    """The PNG is not one pdftoppm writes (8-bit grey or RGB, not interlaced)."""


@dataclass(frozen=True)
class Picture:
    """A PNG to draw, and its size in pixels."""

    png: bytes
    width: int
    height: int
    colors: int  # 1: grey, 3: RGB

    @classmethod
    def of(cls, png: bytes) -> Picture:
        if len(png) < 33 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
            raise BadPicture("not a PNG")
        width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", png[16:29])
        if depth != 8 or kind not in (0, 2) or interlace or width <= 0 or height <= 0:
            raise BadPicture("not an 8-bit grey or RGB PNG without interlacing")
        return cls(png, width, height, 1 if kind == 0 else 3)

    def idat(self) -> bytes:
        """The PNG's compressed image data (its IDAT chunks, joined)."""
        out, at = bytearray(), 8
        while at + 8 <= len(self.png):
            size, kind = struct.unpack(">I4s", self.png[at : at + 8])
            if kind == b"IDAT":
                out += self.png[at + 8 : at + 8 + size]
            at += 12 + size
        return bytes(out)


def encoded(text: str) -> bytes:
    """The text in WinAnsi; a character it lacks, or one a viewer would act on, as an escape."""
    out = bytearray()
    for ch in text:
        try:
            if not ch.isprintable():
                raise UnicodeEncodeError("cp1252", ch, 0, 1, "not printable")
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ascii(ch)[1:-1].encode()
    return bytes(out)


def width(raw: bytes, font: str, size: float) -> float:
    table = _WIDTHS[font]
    return sum(table[b - 32] if 32 <= b < 127 else _WIDE for b in raw) * size / 1000


def wrapped(raw: bytes, font: str, size: float, room: float) -> list[bytes]:
    """Lines of at most `room` points: broken at spaces, and inside a word too long for one."""
    lines: list[bytes] = []
    line = b""
    for word in raw.split(b" "):
        candidate = line + b" " + word if line else word
        if width(candidate, font, size) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while width(line, font, size) > room:  # a hash, a long order id: cut anywhere
            cut = max(1, _fitting(line, font, size, room))
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return lines


def _fitting(raw: bytes, font: str, size: float, room: float) -> int:
    total = 0.0
    for at, b in enumerate(raw):
        total += width(bytes([b]), font, size)
        if total > room:
            return at
    return len(raw)


@dataclass
class _Page:
    content: list[bytes] = field(default_factory=list)
    pictures: dict[str, pikepdf.Object] = field(default_factory=dict)


class Layout:
    """Blocks laid out top to bottom, a new page when one is full."""

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        self.pages: list[_Page] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = HEIGHT - MARGIN

    def _room(self, height: float) -> None:
        if self.y - height < _BOTTOM:
            self.new_page()

    def _line(self, raw: bytes, x: float, y: float, font: str, size: float) -> None:
        self.pages[-1].content.append(
            b"BT /%s %g Tf %.2f %.2f Td <%s> Tj ET\n"
            % (font.encode(), size, x, y, raw.hex().encode())
        )

    def space(self, points: float) -> None:
        self.y -= points

    def text(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        """A paragraph, wrapped to the text width."""
        font = "F2" if bold else "F1"
        leading = size * 1.3
        for line in wrapped(encoded(text), font, size, TEXT_WIDTH - indent):
            self._room(leading)
            self.y -= leading
            self._line(line, MARGIN + indent, self.y + size * 0.25, font, size)

    def heading(self, text: str, *, keep: float = 60) -> None:
        """A section's title, kept on one page with the first `keep` points of what follows."""
        self._room(keep)
        self.space(8)
        self.text(text, size=13, bold=True)
        self.space(3)

    def field(self, label: str, value: str, *, column: float = 120) -> None:
        """A label in bold and its value beside it, wrapped in the rest of the line."""
        size, leading = 10.0, 13.0
        lines = wrapped(encoded(value), "F1", size, TEXT_WIDTH - column)
        for at, line in enumerate(lines):
            self._room(leading)
            self.y -= leading
            if at == 0:
                self._line(encoded(label), MARGIN, self.y + 2.5, "F2", size)
            self._line(line, MARGIN + column, self.y + 2.5, "F1", size)

    def pictures(self, picture: Picture, band: float, caption: str) -> None:
        """A page picture, small, and its bottom `band` (a fraction of its height) enlarged."""
        small_w = 100.0
        small_h = small_w * picture.height / picture.width
        if small_h > PICTURE_HEIGHT:
            small_h, small_w = PICTURE_HEIGHT, PICTURE_HEIGHT * picture.width / picture.height
        big_w = TEXT_WIDTH - 120
        big_h = big_w * picture.height / picture.width  # the whole picture at the big scale
        strip = min(big_h * band, small_h)
        self._room(small_h + 20)
        name = self._image(picture)
        top = self.y
        left = MARGIN + 120
        self.pages[-1].content.append(
            b"q %.2f 0 0 %.2f %.2f %.2f cm /%s Do Q\n"
            % (small_w, small_h, MARGIN, top - small_h, name.encode())
            + b"q 0.6 G 0.5 w %.2f %.2f %.2f %.2f re S Q\n"
            % (MARGIN, top - small_h, small_w, small_h)
            + b"q %.2f %.2f %.2f %.2f re W n %.2f 0 0 %.2f %.2f %.2f cm /%s Do Q\n"
            % (left, top - strip, big_w, strip, big_w, big_h, left, top - strip, name.encode())
            + b"q 0.6 G 0.5 w %.2f %.2f %.2f %.2f re S Q\n" % (left, top - strip, big_w, strip)
        )
        self.y = top - small_h - 4
        self._line(encoded(caption), MARGIN, self.y - 8, "F1", 8)
        self.y -= 16

    def _image(self, picture: Picture) -> str:
        page = self.pages[-1]
        name = f"Im{len(page.pictures) + 1}"
        stream = pikepdf.Stream(self.pdf, b"")
        stream.write(
            picture.idat(),
            filter=Name.FlateDecode,
            decode_parms=pikepdf.Dictionary(
                Predictor=15, Colors=picture.colors, BitsPerComponent=8, Columns=picture.width
            ),
        )
        stream.Type, stream.Subtype = Name.XObject, Name.Image
        stream.Width, stream.Height, stream.BitsPerComponent = picture.width, picture.height, 8
        stream.ColorSpace = Name.DeviceGray if picture.colors == 1 else Name.DeviceRGB
        page.pictures[name] = self.pdf.make_indirect(stream)
        return name

    def finish(self, title: str, running: str, made_at: datetime) -> bytes:
        """The PDF: every page with `running` and its number at the foot."""
        fonts = pikepdf.Dictionary(
            F1=_font(self.pdf, "Helvetica"), F2=_font(self.pdf, "Helvetica-Bold")
        )
        total = len(self.pages)
        for number, page in enumerate(self.pages, start=1):
            foot = encoded(f"{running}   page {number} of {total}")
            content = b"".join(page.content) + b"q 0.4 g\n"
            content += b"BT /F1 7.5 Tf %.2f %.2f Td <%s> Tj ET Q\n" % (
                MARGIN,
                MARGIN - 6,
                foot.hex().encode(),
            )
            resources = pikepdf.Dictionary(
                Font=fonts,
                XObject=pikepdf.Dictionary({f"/{k}": v for k, v in page.pictures.items()}),
            )
            self.pdf.pages.append(
                pikepdf.Page(
                    pikepdf.Dictionary(
                        Type=Name.Page,
                        MediaBox=[0, 0, WIDTH, HEIGHT],
                        Resources=resources,
                        Contents=self.pdf.make_stream(content),  # compressed on save
                    )
                )
            )
        self.pdf.docinfo = self.pdf.make_indirect(
            pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Producer=pikepdf.String("exlibris"),
                CreationDate=pikepdf.String(made_at.strftime("D:%Y%m%d%H%M%SZ")),
            )
        )
        out = io.BytesIO()
        self.pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def _font(pdf: pikepdf.Pdf, base: str) -> pikepdf.Object:
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name("/" + base),
            Encoding=Name.WinAnsiEncoding,
        )
    )
