"""One corpus case: how to build the file, where it came from, what must happen to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    issue: str
    build: Callable[[], bytes]
    refusal: str = ""  # words the refusal says; empty: the file stamps
    warning: str = ""  # words `check` must say about it (a warning, note or problem)
    poppler_footer: bool = True  # poppler shows the footer on every stamped page
    skip_pages: int = 0
    slow: bool = False  # seconds of qpdf work: the slow tier only

    @property
    def stamps(self) -> bool:
        return not self.refusal
