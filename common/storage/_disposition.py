"""Content-Disposition for downloads, per RFC 6266 (with RFC 8187 for non-ASCII names).

Both storage adapters name a download the same way: a quoted ASCII fallback in
`filename` for old clients, and the exact UTF-8 name in `filename*` when the
name is not plain ASCII.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

_UNSAFE = set('"\\/') | {chr(c) for c in range(32)} | {"\x7f"}


def attachment(filename: str) -> str:
    """The Content-Disposition value that downloads an object as filename."""
    name = "".join("_" if ch in _UNSAFE else ch for ch in filename).strip() or "download"
    fallback = _ascii_fallback(name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii_fallback(name: str) -> str:
    """Strip accents, then replace what is still not printable ASCII with '_'."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "~" else "_" for ch in stripped)
