"""The corpus: every odd PDF an issue turned up, as a test file (issue 14 started it).

Each case is built here, byte by byte (writer.py), as broken as the file it
stands for, and names the issue it came from. tests/unit/test_corpus.py stamps
each one, preflights it and traces the copy; a case that must be refused says
with which words. Small real files may be committed under files/ instead (a
name starting with the issue, like issue14-something.pdf); they are expected
to stamp. Add a case whenever an issue finds a new kind of odd file.
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.case import Case
from tests.corpus.cases import CASES

FILES = Path(__file__).parent / "files"


def all_cases() -> list[Case]:
    """The built cases and the committed files."""
    files = [
        Case(path.stem, path.stem.split("-")[0], path.read_bytes)
        for path in sorted(FILES.glob("*.pdf"))
    ]
    return [*CASES, *files]
