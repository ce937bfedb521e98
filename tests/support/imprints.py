"""An imprint in the sample catalog, for the tests of pen names (docs/imprints.md).

`imprint_catalog(folder)` writes the sample catalog with its one product sold under
the imprint "held-out" (and a logo in the source bucket when one is given); `logo_png`
draws a small real PNG with Pillow.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from tests.conftest import SAMPLE_CATALOG

SLUG = "held-out"
NAME = "Held Out Press"
SENDER = ("Held Out Press", "books@heldout.example")
SUPPORT = "help@heldout.example"
ACCENT = "#7a1f5c"
LOGO = "imprints/held-out.png"

KEYS = {
    "shop_name": NAME,
    "mail_from": f"{SENDER[0]} <{SENDER[1]}>",
    "support_email": SUPPORT,
    "accent_color": ACCENT,
}


def imprint_toml(**keys: str) -> str:
    """The imprint's table, with keys added (logo=LOGO, say) or replaced."""
    values = KEYS | keys
    lines = [f"[imprints.{SLUG}]", *(f"{key} = {toml_text(v)}" for key, v in values.items())]
    return "\n".join(lines) + "\n"


def toml_text(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def imprint_catalog(path: Path, *, logo: bool = False) -> Path:
    """The sample catalog, its product sold under the imprint, written to `path`."""
    sample = SAMPLE_CATALOG.read_text(encoding="utf-8")
    under = sample.replace(
        'title = "Practical Python Projects"\n',
        f'title = "Practical Python Projects"\nimprint = "{SLUG}"\n',
    )
    assert under != sample
    path.write_text(under + imprint_toml(**({"logo": LOGO} if logo else {})), encoding="utf-8")
    return path


def logo_png(side: int = 32) -> bytes:
    """A real PNG, side by side pixels in the imprint's accent colour."""
    out = io.BytesIO()
    Image.new("RGB", (side, side), ACCENT).save(out, format="PNG")
    return out.getvalue()
