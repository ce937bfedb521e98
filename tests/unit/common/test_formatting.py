"""Sizes and dates as buyers read them, including the dates no calendar holds."""

from __future__ import annotations

import pytest

from common.formatting import human_date, human_size


def test_a_date_reads_as_a_day() -> None:
    assert human_date(1_750_000_000) == "15 June 2025"


@pytest.mark.parametrize(
    ("epoch", "said"),
    [(10**12, "a date far ahead"), (1e300, "a date far ahead"), (-(10**13), "a date long past")],
)
def test_a_date_beyond_the_calendar_is_said_in_words(epoch: float, said: str) -> None:
    assert human_date(epoch) == said


def test_sizes_read_as_a_reader_says_them() -> None:
    assert (human_size(2_400_000), human_size(830_000), human_size(0)) == ("2.4 MB", "830 KB", "")
