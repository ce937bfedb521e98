"""The footer's fonts as PDF objects: the glyphs one copy draws, embedded as Type0 fonts.

Each font is subset to the glyphs the footer uses (subset.py), renumbered
densely, and the content stream writes the new glyph ids as CIDs: Identity-H
encoding, `/CIDToGIDMap /Identity` for TrueType outlines (CIDFontType2,
FontFile2) and an identity charset for CFF outlines (CIDFontType0, FontFile3
/CIDFontType0C), so CID = GID in both.

A ToUnicode map gives one text per code, but a shaped glyph may stand for
different text in different places (the म of राम is "म", in शर्मा the same
glyph carries "र्मा"). So the glyph uses are split into *variants*: each is a
Type0 font with its own ToUnicode map over the same descendant font and font
program, and a glyph goes to the first variant where its text agrees.
Everything is built inside the target document and is reached only from the
footer form, so it is per copy and deterministic for the same text.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field

import pikepdf
import uharfbuzz as hb

from stamping.pdf.footer._faces import Font
from stamping.pdf.footer._subset import subset_program
from stamping.pdf.footer._tounicode import to_unicode_cmap

Name = pikepdf.Name


@dataclass
class GlyphUses:
    """The glyphs a footer draws with one font, and the text each stands for, per variant."""

    font: Font
    variants: list[dict[int, str]] = field(default_factory=list)

    def use(self, gid: int, text: str) -> int:
        """Record one drawn glyph; the variant (font resource) it must be drawn with."""
        for number, texts in enumerate(self.variants):
            if texts.setdefault(gid, text) == text:
                return number
        self.variants.append({gid: text})
        return len(self.variants) - 1

    def gids(self) -> set[int]:
        return {gid for texts in self.variants for gid in texts}


@dataclass(frozen=True)
class Embedded:
    fonts: list[pikepdf.Dictionary]  # one Type0 font per variant
    new_gid: dict[int, int]  # the font's glyph id -> the CID the content stream writes


def embed(target: pikepdf.Pdf, uses: GlyphUses) -> Embedded:
    """Subset the font to the used glyphs and make its Type0 fonts in `target`."""
    font = uses.font
    program, new_gid = subset_program(font, uses.gids())
    tag = _subset_tag(font, new_gid)
    descendant = target.make_indirect(_descendant(target, font, program, new_gid, tag))
    fonts = []
    for texts in uses.variants:
        cmap = to_unicode_cmap({new_gid[gid]: text for gid, text in texts.items()})
        fonts.append(
            target.make_indirect(
                pikepdf.Dictionary(
                    Type=Name.Font,
                    Subtype=Name.Type0,
                    BaseFont=Name(f"/{tag}+{font.postscript_name}"),
                    Encoding=Name("/Identity-H"),
                    DescendantFonts=pikepdf.Array([descendant]),
                    ToUnicode=_flate_stream(target, cmap),
                )
            )
        )
    return Embedded(fonts=fonts, new_gid=new_gid)


def _subset_tag(font: Font, new_gid: dict[int, int]) -> str:
    """Six capital letters naming this subset (PDF 32000-1, 9.6.4), the same for the same glyphs."""
    digest = hashlib.sha256(f"{font.postscript_name}:{sorted(new_gid)}".encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _descendant(
    target: pikepdf.Pdf, font: Font, program: bytes, new_gid: dict[int, int], tag: str
) -> pikepdf.Dictionary:
    name = Name(f"/{tag}+{font.postscript_name}")
    scale = 1000 / font.upem
    widths = [0] * (max(new_gid.values()) + 1)
    for old, new in new_gid.items():
        widths[new] = round(font.hb_font.get_glyph_h_advance(old) * scale)
    cid = pikepdf.Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType0 if font.cff else Name.CIDFontType2,
        BaseFont=name,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=target.make_indirect(_descriptor(target, font, program, name)),
        DW=0,
        W=pikepdf.Array([0, pikepdf.Array(widths)]),
    )
    if not font.cff:
        cid.CIDToGIDMap = Name.Identity
    return cid


def _descriptor(
    target: pikepdf.Pdf, font: Font, program: bytes, name: pikepdf.Name
) -> pikepdf.Dictionary:
    scale = 1000 / font.upem
    extents = font.hb_font.get_font_extents("ltr")
    x0, y0, x1, y1 = struct.unpack(">4h", font.face.reference_table("head").data[36:44])
    cap = font.hb_font.get_metric_position(hb.OTMetricsTag.CAP_HEIGHT) or extents.ascender
    descriptor = pikepdf.Dictionary(
        Type=Name.FontDescriptor,
        FontName=name,
        Flags=4,  # symbolic: glyphs are found by CID, not by a standard encoding
        FontBBox=pikepdf.Array([round(v * scale) for v in (x0, y0, x1, y1)]),
        ItalicAngle=0,
        Ascent=round(extents.ascender * scale),
        Descent=round(extents.descender * scale),
        CapHeight=round(cap * scale),
        StemV=80,  # not in the font; the usual value for a regular weight
    )
    if font.cff:
        stream = _flate_stream(target, program, Subtype=Name("/CIDFontType0C"))
        descriptor.FontFile3 = stream
    else:
        descriptor.FontFile2 = _flate_stream(target, program, Length1=len(program))
    return descriptor


def _flate_stream(target: pikepdf.Pdf, data: bytes, **keys: object) -> pikepdf.Stream:
    return target.make_stream(zlib.compress(data, 6), Filter=Name.FlateDecode, **keys)
