"""Entry names a stamped book must not carry: a name the zip holds twice, or one outside the book.

A zip may hold two central-directory records with one name (zipfile warns
and writes both). Reading systems differ in which one they show, and the
stamper marks one of them only, so the other reaches every buyer unstamped.
A name that climbs out of the book (`../`) or starts at a root (`/`, `C:`)
is what APPNOTE 4.4.17.1 forbids ("MUST NOT contain a drive or device
letter, or a leading slash") and what a reading system that unpacks the
book would write outside its own folder ("zip slip"). Both are refused
before anything is stamped, with the entry's name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from stamping.stamp import StampError

_ROOTED = re.compile(r"^(?:[/\\]|[A-Za-z]:)")


def check_names(names: Iterable[str]) -> None:
    """StampError naming the first entry that is repeated or lies outside the book."""
    counts = Counter(names)
    for name, count in counts.items():
        if count > 1:
            raise StampError(
                f"the EPUB's zip holds {name} twice ({count} entries with that name): reading "
                "systems differ in which one they show, and only one copy could carry the "
                "stamp; re-zip the book so that each file appears once"
            )
        if _ROOTED.match(name) or ".." in re.split(r"[/\\]", name):
            raise StampError(
                f"the EPUB's zip has an entry named {name}, outside the book's own folder: a "
                "reading system that unpacks it would write it elsewhere on the reader's "
                "device; re-zip the book without it"
            )
