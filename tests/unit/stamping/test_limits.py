"""The engine's limits (stamping/limits.py), met by small files under small limits, in process.

The real bombs, under the default limits and measured in a child process, are
tests/unit/test_hostile_corpus.py (slow tier).
"""

from __future__ import annotations

import pytest

from stamping.formats import check_file, prepare, trace_file
from stamping.limits import LimitExceeded, Limits, MiB
from stamping.stamp import StampError, TraceError
from stamping.style import StampStyle
from tests.corpus.bombs import ZipEntry, deflated, pattern, write_zip
from tests.corpus.hostile import _epub, _pages, _prose
from tests.corpus.writer import book

SMALL = Limits(stream=2 * MiB, inflated=4 * MiB, ratio=100, objects=500, pages=20, zip_entries=30)
STYLE = StampStyle()


def _flate_content(times: int) -> bytes:
    """Page content of `times` x 512 KiB of prose, which deflates 65 times: under the ratio."""
    data = deflated(_prose(), times)
    body = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)
    return book(content_object=body)


@pytest.mark.parametrize(
    ("build", "variable"),
    [
        (lambda: _flate_content(6), "STAMP_MAX_STREAM"),
        (lambda: _pages(30, 3, {3: b"<< /Length 0 >>\nstream\n\nendstream"}), "STAMP_MAX_PAGES"),
        (lambda: book(extra={100 + n: b"null" for n in range(600)}), "STAMP_MAX_OBJECTS"),
        (
            lambda: _epub([ZipEntry.text("OEBPS/c0.xhtml", b"<html/>")],
                          [ZipEntry.text(f"f{n}.css", b"p{}") for n in range(40)]),
            "STAMP_MAX_ZIP_ENTRIES",
        ),
        (lambda: _epub([ZipEntry.bomb("OEBPS/c0.xhtml", pattern(b"<p/>"), 3)]), "STAMP_MAX_RATIO"),
    ],
    ids=["stream", "pages", "objects", "zip-entries", "ratio"],
)  # fmt: skip
def test_a_file_past_a_limit_is_refused_naming_it(build, variable: str) -> None:  # type: ignore[no-untyped-def]
    data = build()
    with pytest.raises(LimitExceeded, match=variable) as refused:
        prepare(data, STYLE, SMALL)
    assert isinstance(refused.value, StampError) and isinstance(refused.value, TraceError)
    checked = check_file(data, STYLE, SMALL)
    assert not checked.clean and variable in checked.text
    with pytest.raises(TraceError, match=variable):
        trace_file(data, limits=SMALL)


def test_the_declared_zip_size_is_checked_before_inflating() -> None:
    huge = ZipEntry("OEBPS/i.png", deflated(b"\0" * 16, 1, raw=True), size=3 * MiB)
    data = _epub([ZipEntry.text("OEBPS/c0.xhtml", b"<html/>")], [huge])
    with pytest.raises(LimitExceeded, match="STAMP_MAX_ZIP_SIZE"):
        prepare(data, STYLE, Limits(zip_size=2 * MiB))


def test_a_spine_past_the_total_is_refused_before_any_chapter_is_read() -> None:
    chapters = [ZipEntry.text(f"OEBPS/c{n}.xhtml", b"<p>x</p>" * 60_000) for n in range(3)]
    with pytest.raises(LimitExceeded, match="STAMP_MAX_INFLATED"):
        prepare(_epub(chapters), STYLE, Limits(inflated=MiB))


def test_a_zip_with_one_entry_too_many_is_refused_as_such() -> None:
    data = write_zip([ZipEntry.stored("mimetype", b"application/epub+zip")] * 3)
    with pytest.raises(LimitExceeded, match="STAMP_MAX_ZIP_ENTRIES"):
        prepare(data, STYLE, Limits(zip_entries=2))


def test_a_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="STAMP_MAX_PAGES"):
        Limits(pages=0)
