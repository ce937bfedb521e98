"""How a copy's visible stamp looks: the catalog's per-file options, as the engine reads them."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TEMPLATE = "Prepared exclusively for {name} ({email}) · Order {order} · {code}"


@dataclass(frozen=True)
class StampStyle:
    template: str = DEFAULT_TEMPLATE
    font_size: float = 8.0
    color: str = "#555555"
    opacity: float = 0.85
    margin: float = 14.0
    skip_pages: int = 1
