"""Hidden marks: where an EPUB copy records its order and code, and how they are read back.

The ex-libris page and the footers can be deleted, so each copy also says
whose it is in places a reader never sees; each is read on its own:

- `opf`: <meta name="exlibris:order"/"exlibris:code"> in the package document;
- `zip-comment`: the zip archive's comment;
- `comment`: an XML comment at the top of every spine document's body;
- `attribute`: `data-exlibris` on every spine document's <body> (EPUB 3), or a
  class token `exlibris-code-…` (EPUB 2: XHTML 1.1 has no data- attributes);
- `footer` and `exlibris-page`: the code in the visible text. The ex-libris
  page's is found after its title or its text's class, whichever survives: a
  rebuilt book (pandoc, calibre) keeps the words and drops our classes.

A visible code counts only in our alphabet exactly (no I, L, O or U), so
look-alike words near a mark are never taken for a code.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import stamping.epub.xmltext as xmltext
from stamping.epub.text import one_line
from stamping.stamp import StampError

ATTRIBUTE = "data-exlibris"
CLASS_PREFIX = "exlibris-code-"
META_ORDER, META_CODE = "exlibris:order", "exlibris:code"
FOOTER_CLASS, PAGE_CLASS = "exlibris-footer", "exlibris-page"
PAGE_TITLE = "Ex libris"
Found = dict[str, tuple[str | None, str | None]]  # mark -> (order id, code)

_GROUP = "[0-9A-HJKMNP-TV-Z]{4}"  # common/codes' alphabet
_CODE = rf"{_GROUP}-{_GROUP}-{_GROUP}"
_COMMENT = re.compile(r"<!-- exlibris (\{[^<>]{0,2000}?\}) -->")
_ATTR = re.compile(r"""\sdata-exlibris\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})')""")
_CLASS = re.compile(rf"{CLASS_PREFIX}({_CODE})")
# The code in the visible text, before the element ends and not far off: every repeat
# is bounded, so a leaked file crafted to make these scan far costs linear time.
_FOOTER = re.compile(
    rf'class="{FOOTER_CLASS}[ "][^>]{{0,500}}>(?:(?!</div>).){{0,2000}}?({_CODE})', re.S
)
# The ex-libris page's text starts after its title, or after its text's class.
_PAGE = re.compile(rf'class="exlibris-text">|>\s*{PAGE_TITLE}\s*<')
_PAGE_WINDOW, _PAGE_TRIES = 4000, 8  # characters read after each start; starts tried
_TAG = re.compile(r"<[^<>]*>")  # stops at the next < or >: linear in the window
_SHOWN_CODE = re.compile(rf"(?<![0-9A-Za-z])({_CODE})(?![0-9A-Za-z])")
_ZIP = re.compile(rb"exlibris (\{[^{}]*\})")


def payload(order_id: str, code: str) -> str:
    """The order and code as one line of ASCII JSON with no `--` (so it fits in a comment)."""
    data = json.dumps({"order": one_line(order_id), "code": one_line(code)}, separators=(",", ":"))
    return data.replace("--", "-\\u002d")


def attribute(order_id: str, code: str) -> str:
    """The data-exlibris value: the code (which has no spaces), a space, the order id."""
    return f"{one_line(code)} {one_line(order_id)}"


def comment(order_id: str, code: str) -> str:
    return f"<!-- exlibris {payload(order_id, code)} -->"


def zip_comment(order_id: str, code: str, original: bytes) -> bytes:
    """The archive comment: the original's (if any), then ours."""
    ours = f"exlibris {payload(order_id, code)}".encode()
    return (original.rstrip(b"\n") + b"\n" + ours) if original.strip() else ours


def read_text_marks(text: str) -> Found:
    """The marks one document carries."""
    found: Found = {}
    if (match := _COMMENT.search(text)) and (pair := _pair(match.group(1))):
        found["comment"] = pair
    if match := _ATTR.search(text):
        code, _, order = html.unescape(match[1] or match[2] or "").partition(" ")
        found["attribute"] = (order or None, code or None)
    if "attribute" not in found and (match := _CLASS.search(text)):
        found["attribute"] = (None, match.group(1))
    if match := _FOOTER.search(text):
        found["footer"] = (None, match.group(1))
    if shown := _page_code(text):
        found["exlibris-page"] = (None, shown)
    return found


def _page_code(text: str) -> str | None:
    """The first code the ex-libris page's text shows (comments and markup are not shown)."""
    for tried, start in enumerate(_PAGE.finditer(text)):
        if tried == _PAGE_TRIES:  # a file crafted with many starts costs a bounded scan
            break
        window = text[start.end() : start.end() + _PAGE_WINDOW]
        if match := _SHOWN_CODE.search(_TAG.sub("", _uncommented(window))):
            return match.group(1)
    return None


def _uncommented(text: str) -> str:
    """The text without its comments (our hidden comment carries a code too); linear time."""
    kept, at = [], 0
    while (start := text.find("<!--", at)) != -1:
        kept.append(text[at:start])
        end = text.find("-->", start + 4)
        at = len(text) if end == -1 else end + 3
    kept.append(text[at:])
    return " ".join(kept)


def read_opf_marks(opf: bytes) -> Found:
    try:
        root = xmltext.parse(opf, "the package document")
    except (ET.ParseError, StampError):
        return {}
    metas = {
        m.get("name"): m.get("content") for m in root.iter("{http://www.idpf.org/2007/opf}meta")
    }
    order, code = metas.get(META_ORDER), metas.get(META_CODE)
    return {"opf": (order, code)} if order or code else {}


def read_zip_comment(comment: bytes) -> Found:
    match = _ZIP.search(comment)
    pair = _pair(match.group(1).decode("ascii", "replace")) if match else None
    return {"zip-comment": pair} if pair else {}


def _pair(raw: str) -> tuple[str | None, str | None] | None:
    """(order, code) from a payload; None when it is not ours or was mangled."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    order, code = data.get("order"), data.get("code")
    pair = (order if isinstance(order, str) else None, code if isinstance(code, str) else None)
    return pair if pair != (None, None) else None
