"""An original EPUB, opened: its zip, its package document and what encryption.xml lists.

Opening refuses what cannot be stamped, with the reason: not a zip, no
package document, entries named twice or outside the book (entries.py), DRM
(encryption.py), an empty spine, or a file that is
already somebody's stamped copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import stamping.epub.marks as marks
from stamping.epub.archive import Archive
from stamping.epub.encryption import Encrypted, read_encryption
from stamping.epub.entries import check_names
from stamping.epub.package import Package, read_package
from stamping.stamp import StampError


@dataclass(frozen=True)
class Book:
    archive: Archive
    package: Package
    encrypted: tuple[Encrypted, ...]


def open_book(data: bytes, *, original: bool = True) -> Book:
    """Open an EPUB; StampError if it cannot be stamped (`original=False`: a copy, read back)."""
    return open_archive(Archive(data), original=original)


def open_archive(archive: Archive, *, original: bool = True) -> Book:
    """open_book, for an archive already read."""
    if original:  # a leaked copy is traced whatever its zip holds
        check_names(e.name for e in archive.entries)
    encrypted = read_encryption(archive)
    package = read_package(archive)
    if original and f'name="{marks.META_CODE}"' in package.text:
        raise StampError("this EPUB is already a stamped copy; upload the original instead")
    if not package.spine:
        raise StampError("the EPUB's spine lists no document")
    return Book(archive, package, encrypted)
