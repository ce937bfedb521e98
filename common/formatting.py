"""How buyers read sizes and dates, the same in the mail and on the download page."""

from __future__ import annotations

from datetime import UTC, datetime


def human_size(size: int) -> str:
    """Bytes as a reader says them: 2.4 MB, 830 KB; blank when unknown."""
    if size <= 0:
        return ""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return (
                f"{size / scale:.1f} {unit}" if size < 10 * scale else f"{size / scale:.0f} {unit}"
            )
    return f"{size} bytes"


def human_date(epoch: float) -> str:
    """A day as a reader says it, in UTC: 15 July 2025 (past year 9999: "a date far ahead")."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%-d %B %Y")
    except (OverflowError, OSError, ValueError):  # beyond what datetime holds
        return "a date far ahead" if epoch > 0 else "a date long past"
