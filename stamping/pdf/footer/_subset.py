"""The glyphs one footer draws, cut from a font with HarfBuzz's subsetter (hb-subset).

Hints and layout tables are dropped (shaping is done); the glyphs are
renumbered densely, .notdef first. hb-subset takes about 0.05 ms per Noto
script font and under a millisecond for the CJK collection once its source
face is made (once per process, see _subset_face); fontTools.subset took
42 ms and 450 ms for the same work, so nothing is cached per name.
"""

from __future__ import annotations

import threading
from pathlib import Path

import uharfbuzz as hb

from stamping.pdf.footer._faces import Font

_LAYOUT = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "morx"]  # shaping is done
_DROPPED_TABLES = [*_LAYOUT, "DSIG", "VORG", "vhea", "vmtx", "gasp"]
_NOT_IN_CFF = ["cmap", "OS/2", "name", "post"]  # only the CFF table of a CFF font is embedded


def subset_program(font: Font, gids: set[int]) -> tuple[bytes, dict[int, int]]:
    """The font program holding just these glyphs (and .notdef), and the new glyph ids."""
    wanted = hb.SubsetInput()
    for gid in sorted(gids | {0}):
        wanted.glyph_set.add(gid)
    flags = hb.SubsetFlags.NO_HINTING
    if font.cff:
        flags |= hb.SubsetFlags.CFF_IDENTITY_CHARSET  # CID n is glyph n of the subset
    wanted.flags = flags
    for tag in _DROPPED_TABLES + (_NOT_IN_CFF if font.cff else []):
        wanted.drop_table_tag_set.add(int.from_bytes(tag.ljust(4).encode(), "big"))
    plan = hb.SubsetPlan(_subset_face(font), wanted)
    mapping = {int(old): int(new) for old, new in plan.old_to_new_glyph_mapping.items()}
    subset = plan.execute()
    program = subset.reference_table("CFF ").data if font.cff else subset.blob.data
    return bytes(program), mapping


_PREPARED: dict[Font, hb.Face] = {}
_USED: set[Font] = set()  # faces subset once already, straight from the font
_PREPARING = threading.Lock()
_PREPARE_LIMIT = 20_000  # glyphs: preparing Noto Sans takes 9 ms once, a CJK face a second
_CFF_SOURCE_TABLES = ("CFF ", "head", "hhea", "hmtx", "maxp")


def _subset_face(font: Font) -> hb.Face:
    """The face to subset from: the font's own the first time, a prepared one from then on.

    A TrueType face is prepared (hb_subset_preprocess): each later subset is
    several times faster (Noto Sans: 0.3 -> 0.05 ms). Preparing the CJK
    collection would take a second and 135 MB, so a CFF face is rebuilt from
    just the tables its program is cut from instead, which skips its 44,000-
    entry cmap and layout tables (10 -> 0.7 ms a subset, the same bytes) for
    one copy of its CFF table (16 MB for Noto CJK). Either is made on a face's
    second use, once per process: a single copy (`exlibris stamp`) pays
    neither the 9 ms nor the 16 MB, a worker's second buyer does."""
    if not font.cff and font.face.glyph_count > _PREPARE_LIMIT:
        return font.face
    with _PREPARING:
        if font in _PREPARED:
            return _PREPARED[font]
        if font not in _USED:
            _USED.add(font)
            return font.face
        _PREPARED[font] = _cff_source(font) if font.cff else hb.subset_preprocess(font.face)
        return _PREPARED[font]


def _cff_source(font: Font) -> hb.Face:
    tables = {tag: _shared_table(font, tag) for tag in _CFF_SOURCE_TABLES}
    _SOURCE_TABLES[font] = tables  # HarfBuzz borrows them: they live as long as the face
    face = hb.Face.create_for_tables(_source_table, tables)
    face.set_get_table_tags_func(_source_tags, tables)
    return face


_SOURCE_TABLES: dict[Font, dict[str, bytes]] = {}
_SHARED: dict[tuple[Path, int, int], bytes] = {}


def _shared_table(font: Font, tag: str) -> bytes:
    """A table's bytes, one copy for the faces of a collection that share it (the CJK
    faces share one CFF table: the Japanese, Korean and Chinese faces cost 16 MB, not 48).
    Where it sits in the file comes from the table directory (fontTools reads only that)."""
    from fontTools.ttLib import TTFont  # here: only a CJK name needs it, not every start-up

    with TTFont(font.path, fontNumber=font.index, lazy=True) as directory:
        entry = directory.reader.tables[tag]
        where = (font.path, int(entry.offset), int(entry.length))
    if where not in _SHARED:
        with font.path.open("rb") as file:  # read, not through HarfBuzz's map of the file
            file.seek(where[1])
            _SHARED[where] = file.read(where[2])
    return _SHARED[where]


def _source_table(_face: hb.Face, tag: str, tables: dict[str, bytes]) -> bytes:
    return tables.get(tag, b"")


def _source_tags(_face: hb.Face, tables: dict[str, bytes]) -> list[str]:
    return list(tables)
