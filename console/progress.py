"""The progress bar of the console's long runs (`reissue`, `give --csv`): rich, on deps.out."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(out: Console, fields: str) -> Progress:
    """A bar with a count, `fields` (a format of the task's fields) and the time taken."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(fields),
        TimeElapsedColumn(),
        console=out,
    )
