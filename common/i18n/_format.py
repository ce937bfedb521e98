"""How buyers read sizes, dates and counts, in their language, through Babel.

English keeps the day-month-year a reader of the shop saw before languages came
(15 July 2025): the CLDR's British English long date.
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from common.i18n._catalogs import translations

_UNITS = (("digital-gigabyte", 1e9), ("digital-megabyte", 1e6), ("digital-kilobyte", 1e3))


def _cldr(language: str) -> str:
    return "en_GB" if language == "en" else language


def human_size(size: int, language: str = "en") -> str:
    """Bytes as a reader says them: 2.4 MB, 830 kB, "2,4 Mo" in French; blank when unknown."""
    if size <= 0:
        return ""
    for unit, scale in _UNITS:
        if size >= scale:
            pattern = "#,##0.0" if size < 10 * scale else "#,##0"
            return format_unit(
                size / scale, unit, length="short", format=pattern, locale=_cldr(language)
            )
    return format_unit(size, "digital-byte", length="short", locale=_cldr(language))


def human_date(epoch: float, language: str = "en") -> str:
    """A day as a reader says it, in UTC: 15 July 2025, 15. Juli 2025 (or, past 9999, in words)."""
    try:
        day = datetime.fromtimestamp(epoch, UTC).date()
    except (OverflowError, OSError, ValueError):  # beyond what datetime holds
        words = translations(language, "common")
        return words.gettext("a date far ahead") if epoch > 0 else words.gettext("a date long past")
    return format_date(day, "long", locale=_cldr(language))


def format_count(count: int, language: str = "en") -> str:
    """A whole number with the locale's digits and grouping: 1,000; 1.000; 1 000."""
    return format_decimal(count, locale=_cldr(language))
