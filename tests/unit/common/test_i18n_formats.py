"""Sizes, dates and counts as buyers read them, in their language; dates beyond any calendar too."""

from __future__ import annotations

import pytest

from common.i18n import LANGUAGES, format_count, human_date, human_size


def test_a_date_reads_as_a_day() -> None:
    assert human_date(1_750_000_000) == "15 June 2025"


@pytest.mark.parametrize(
    ("language", "said"),
    [("de", "15. Juni 2025"), ("fr", "15 juin 2025"), ("pt", "15 de junho de 2025")],
)
def test_a_date_reads_as_the_buyers_language_says_it(language: str, said: str) -> None:
    assert human_date(1_750_000_000, language) == said


@pytest.mark.parametrize(
    ("epoch", "said"),
    [(10**12, "a date far ahead"), (1e300, "a date far ahead"), (-(10**13), "a date long past")],
)
def test_a_date_beyond_the_calendar_is_said_in_words(epoch: float, said: str) -> None:
    assert human_date(epoch) == said


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_a_date_beyond_the_calendar_is_said_in_each_language(language: str) -> None:
    ahead, past = human_date(10**12, language), human_date(-(10**13), language)
    assert ahead and past and ahead != past
    assert "a date" not in ahead + past  # translated, not the English source


def test_sizes_read_as_a_reader_says_them() -> None:
    assert (human_size(2_400_000), human_size(830_000), human_size(0)) == ("2.4 MB", "830 kB", "")
    assert human_size(512) == "512 byte"


@pytest.mark.parametrize(
    ("language", "said"), [("de", "2,4 MB"), ("fr", "2,4\u202fMo"), ("nl", "2,4 MB")]
)
def test_sizes_read_in_the_buyers_language(language: str, said: str) -> None:
    assert human_size(2_400_000, language) == said


def test_counts_are_grouped_as_the_locale_groups_them() -> None:
    assert [format_count(12_345, lang) for lang in ("en", "de")] == ["12,345", "12.345"]
