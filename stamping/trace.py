"""What tracing found, whatever the book's format: one finding per order, and how it is printed.

Every format's engine answers a trace with a `Trace` (stamping/format.py). A
finding is authentic when the shop's checker accepts its code (and, with a
`CodeCheck`, when the code was issued for the order the file names beside
it), forged when it does not, and unknown when there is no checker or no
code: the engine never holds the shop's secret. A stamp code is twelve
Crockford base32 characters in three dashed groups (common/codes);
`canonical` writes one as the shop does.

Everything a finding holds besides its code is text from the file, which
whoever leaked it controls: `shown` and `printable` make it safe to print.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

Checker = Callable[[str], bool]  # is this XXXX-XXXX-XXXX code authentic?


def _no_owner(code: str) -> str | None:
    return None


@dataclass(frozen=True)
class CodeCheck:
    """The shop's word on a code, given to the engine, which never holds the secret.

    Called as a Checker it says whether the shop's MAC vouches for the code.
    `issued_for(code, order_id)` says whether the code was issued for that order
    id: the code is derived from the order id, so a copy whose order id was
    rewritten fails it. `owner(code)` is the order the shop's code index names
    for the code, or None where there is no index or no entry; where it names
    one, it decides.
    """

    authentic: Checker
    issued_for: Callable[[str, str], bool]
    owner: Callable[[str], str | None] = _no_owner

    def __call__(self, code: str) -> bool:
        return self.authentic(code)


# The book's bytes, pages (1-based) -> (width, height) in points as the reader sees them
# -> page -> the text OCR read in the footer band of that page.
OcrReader = Callable[[bytes, dict[int, tuple[float, float]]], dict[int, str]]
# The same, -> page -> the page drawn as a grey image (stamping/raster.py).
Renderer = Callable[[bytes, dict[int, tuple[float, float]]], dict[int, "Image.Image"]]


@dataclass(frozen=True)
class Original:
    """The author's original, for the marks only a comparison reads (trace --original).

    `candidates` lists the codes the shop issued (its code index), each of which
    the comparison scores; `render` draws pages, as OcrReader reads them."""

    data: bytes
    candidates: Callable[[], list[str]]
    render: Renderer


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The canonical character for each character a code's reader may see (Crockford's rule).
CROCKFORD = {c: c for c in _ALPHABET} | {"I": "1", "L": "1", "O": "0", "U": "V"}


def canonical(text: str) -> str | None:
    """XXXX-XXXX-XXXX in the canonical alphabet, or None if it cannot be a code."""
    chars = [CROCKFORD.get(ch) for ch in text.upper() if ch not in " -_."]
    if len(chars) != 12 or None in chars:
        return None
    raw = "".join(c for c in chars if c)
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


@dataclass(frozen=True)
class Place:
    """Where one mark of a finding was read: its pages (a PDF), or the documents (an EPUB's
    entries) carrying it; neither for a mark of the book as a whole."""

    mark: str
    pages: tuple[int, ...] = ()
    documents: tuple[str, ...] = ()  # zip entry names: the file's text, shown with `shown`


@dataclass(frozen=True)
class Finding:
    order_id: str | None
    code: str | None
    authentic: bool | None  # None: no checker, or no code to check
    marks: tuple[str, ...]
    pages: tuple[int, ...]  # 1-based; none for a format without pages, or marks of the whole book
    owner: str | None = None  # the order the code was issued for, where the file names another
    reason: str = ""  # why it is forged
    # Mark by mark, where it was read (the evidence report lists them); not part of equality.
    places: tuple[Place, ...] = field(default=(), compare=False)

    @property
    def page_ranges(self) -> str:
        """The pages as ranges, like 2-30, 45."""
        return page_ranges(self.pages)

    @property
    def verdict(self) -> str:
        return {True: "authentic", False: "FORGED", None: "not checked"}[self.authentic]


@dataclass(frozen=True)
class Trace:
    findings: tuple[Finding, ...]
    pages: int
    notes: tuple[str, ...] = ()

    @property
    def found_authentic(self) -> bool:
        return any(f.authentic for f in self.findings)

    @property
    def best(self) -> Finding | None:
        """The most telling finding (an authentic one first), for callers wanting one answer."""
        return self.findings[0] if self.findings else None

    @property
    def order_id(self) -> str | None:
        return self.best.order_id if self.best else None

    @property
    def code(self) -> str | None:
        return self.best.code if self.best else None

    @property
    def marks(self) -> tuple[str, ...]:
        return self.best.marks if self.best else ()


def page_ranges(pages: tuple[int, ...]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    spans: list[list[int]] = []
    for page in pages:
        if spans and page == spans[-1][1] + 1:
            spans[-1][1] = page
        else:
            spans.append([page, page])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in spans)


def format_finding(finding: Finding) -> str:
    """One line: order, code, verdict (and why, for a forgery), marks and pages."""
    pages = f"pages {finding.page_ranges}" if finding.pages else "document only"
    if finding.order_id is not None:
        order = shown(finding.order_id)
    elif finding.owner is not None:
        order = f"{shown(finding.owner)} (from the code index)"
    else:
        order = "(unknown: check the code at /verify)"
    verdict = finding.verdict
    if finding.reason:
        verdict += f" ({finding.reason})"
    if finding.owner is not None and finding.order_id is not None:
        verdict += f" (the code belongs to order {shown(finding.owner)})"
    return (
        f"order {order}  code {shown(finding.code or '(none)')}  {verdict}"
        f"  marks {','.join(finding.marks)}  {pages}"
    )


def trace_json(trace: Trace) -> dict[str, Any]:
    """The same as the lines, for machines; text from the file cut to MAX_SHOWN characters."""
    return {
        "pages": trace.pages,
        "orders": [
            {
                "order_id": _cut(f.order_id),
                "code": _cut(f.code),
                "authentic": f.authentic,
                "marks": list(f.marks),
                "pages": f.page_ranges,
                "owner": _cut(f.owner),
                "reason": f.reason,
            }
            for f in trace.findings
        ],
        "notes": [printable(note) for note in trace.notes],
    }


MAX_SHOWN = 128  # an order id's longest (the webhook edge refuses longer ones)
_PLAIN = re.compile(r"[A-Za-z0-9._-]{1,128}")  # an order id's alphabet: nothing to escape


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """Text from a file, safe to print: bare when it has an order id's shape, else quoted.

    Quoted as Python's repr quotes, with every character str.isprintable()
    refuses escaped: C0 and C1 controls (ESC, BEL, CR, LF, CSI), format
    characters (bidi overrides and isolates), line and paragraph separators.
    At most `limit` characters are printed, escapes counted.
    """
    if _PLAIN.fullmatch(text) and len(text) <= limit:
        return text
    quoted = text.replace("\\", "\\\\").replace("'", "\\'")
    escaped, left = _escaped(quoted, limit)
    return f"'{escaped}'" + (f"…(+{left} characters)" if left else "")


def printable(text: str, limit: int = 4 * MAX_SHOWN) -> str:
    """A line that may carry text from a file (a note, an error, a file name), escaped and cut."""
    escaped, left = _escaped(text, limit)
    return escaped + (f"…(+{left} characters)" if left else "")


def _escaped(text: str, limit: int) -> tuple[str, int]:
    """The text with what a terminal would act on escaped (\\x1b, \\u202e), cut at `limit`
    characters; and how many characters of the text were left out."""
    out: list[str] = []
    size = 0
    for at, ch in enumerate(text):
        piece = ch if ch.isprintable() else repr(ch)[1:-1]
        if size + len(piece) > limit:
            return "".join(out), len(text) - at
        out.append(piece)
        size += len(piece)
    return "".join(out), 0


def _cut(text: str | None) -> str | None:
    return text[:MAX_SHOWN] if text is not None else None
