"""Installed font files, opened with HarfBuzz on first use and kept for the process.

Files are found by name in the usual font folders (one walk per process, no
file opened). HarfBuzz maps a file and reads its tables lazily, so opening a
face costs a fraction of a millisecond even for the 19 MB Noto CJK
collection; nothing else parses a font. Opened faces are kept behind a lock
(the worker stamps on a few threads) and never changed afterwards, which is
what HarfBuzz needs to share them between threads.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import uharfbuzz as hb

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


@dataclass(frozen=True)
class FaceRef:
    """One face of an installed font file: a file name and, in a collection, a family."""

    file: str
    family: str | None = None  # None: the first face


@dataclass(frozen=True, eq=False)
class Font:
    """An opened face: HarfBuzz shapes and measures with it; cidfont.py embeds it."""

    ref: FaceRef
    path: Path
    index: int  # the face's number in a collection (0 in a plain font file)
    face: hb.Face
    hb_font: hb.Font
    upem: int
    postscript_name: str
    cff: bool  # CFF outlines (Noto CJK) rather than TrueType

    def covers(self, ch: str) -> bool:
        return self.hb_font.get_nominal_glyph(ord(ch)) is not None


@lru_cache(maxsize=4)
def installed(folders: tuple[Path, ...] = FONT_DIRS) -> dict[str, str]:
    """Every font file in these folders by file name (the first in sorted order wins)."""
    found: dict[str, str] = {}  # paths as text: a Path for each of a thousand files costs ms
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                found.setdefault(name, os.path.join(root, name))
    return found


def find_font(names: tuple[str, ...], folders: tuple[Path, ...] = FONT_DIRS) -> Path | None:
    """The first installed font file with one of these names."""
    files = installed(folders)
    return next((Path(files[n]) for n in names if n in files), None)


_LOCK = threading.Lock()
_OPENED: dict[FaceRef, Font | None] = {}


def opened() -> list[FaceRef]:
    """The faces this process has opened so far (for the cold-start checks and the bench)."""
    with _LOCK:
        return [ref for ref, font in _OPENED.items() if font is not None]


def load(ref: FaceRef) -> Font | None:
    """The opened face, or None when its file is not installed; opened once per process."""
    with _LOCK:
        if ref not in _OPENED:
            path = find_font((ref.file,))
            _OPENED[ref] = None if path is None else _open(ref, path)
        return _OPENED[ref]


def _open(ref: FaceRef, path: Path) -> Font:
    blob = hb.Blob.from_file_path(str(path))
    index = _face_index(blob, ref.family)
    face = hb.Face(blob, index)
    name = face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or path.stem
    return Font(
        ref=ref,
        path=path,
        index=index,
        face=face,
        hb_font=hb.Font(face),
        upem=face.upem,
        postscript_name="".join(ch for ch in name if ch.isalnum() or ch in "-_") or "Font",
        cff="CFF " in face.table_tags,
    )


def _face_index(blob: hb.Blob, family: str | None) -> int:
    """Which face of a collection has this family name (0 for a plain font file)."""
    if family is None:
        return 0
    for index in range(hb.Face(blob).count):
        if hb.Face(blob, index).get_name(hb.OTNameIdPredefined.FONT_FAMILY) == family:
            return index
    return 0
