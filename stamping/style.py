"""How a copy's visible stamp looks: the catalog's per-file options, as the engine reads them.

PDF reads template, font_size, color, opacity, margin and skip_pages; EPUB
reads footer, footer_template, exlibris_template and color (of the footer).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TEMPLATE = "Prepared exclusively for {name} ({email}) · Order {order} · {code}"
DEFAULT_EXLIBRIS_TEMPLATE = "This copy belongs to {name} ({email}), order {order}, code {code}."
DEFAULT_FOOTER_TEMPLATE = "Prepared for {name} · {code}"
# EPUB footers: "auto" puts one at the end of every reflowable chapter and none on
# fixed-layout pages; "chapters" on every chapter and page; "none" nowhere.
FOOTERS = ("auto", "chapters", "none")


@dataclass(frozen=True)
class StampStyle:
    template: str = DEFAULT_TEMPLATE
    font_size: float = 8.0
    color: str = "#555555"
    opacity: float = 0.85
    margin: float = 14.0
    skip_pages: int = 1
    footer: str = "auto"
    footer_template: str = DEFAULT_FOOTER_TEMPLATE
    exlibris_template: str = DEFAULT_EXLIBRIS_TEMPLATE
