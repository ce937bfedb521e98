"""epubcheck (Debian's `epubcheck`) on every test book and its copy: nothing new in the copy.

Slow: the JVM starts for each book. The test books are valid to begin with,
so the rule "no error and no warning when the original had none" is checked
in its strictest form: the copy has none either.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.stamping.epub.conftest import NAMES

SERIOUS = ("FATAL", "ERROR", "WARNING")
Reports = dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]


def serious(messages: list[dict[str, Any]]) -> list[str]:
    return [
        f"{m['severity']} {m['ID']} {m['locations'][0]['path'] if m['locations'] else ''}: "
        f"{m['message']}"
        for m in messages
        if m["severity"] in SERIOUS
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_copy_passes_epubcheck_like_its_original(name: str, epubcheck_reports: Reports) -> None:
    original, copy = epubcheck_reports[name]
    assert serious(original) == [], "the test book itself should be valid"
    assert serious(copy) == []
