"""Pages whose own content would hide the footer, and drawing them so that it cannot.

The footer is drawn after the page's content, inside the q … Q the stamp
wraps it in. Broken content defeats that: an unmatched Q pops the stamp's q
and leaves a clip or a matrix behind, a string or array left open swallows
the footer's operators, and poppler (Evince, Okular, pdftotext) stops drawing
a page at the first operator that lacks operands. Content drawn as a Form
XObject cannot do any of that: a viewer restores the graphics state after a
form and poppler ends only the form's drawing, so the footer after it shows.

That wrapping changes how a page is built (and moves tagged content out of
the page's own stream), so it is kept for pages a cheap check finds broken.
The check splits the decoded content on white space, compares q with Q and
BT with ET, looks at the last operator and its operands, and looks for an
operator of numbers and names that follows fewer of them than it needs (a
`0 cm` mid-page, as in pikepdf's ctm_cm.pdf: poppler aborts the page's
drawing at the first such operator, so the footer never showed); a page it
flags is parsed in full (qpdf's tokenizer) and its operators' operands
counted before it is wrapped. Past PARSED_AT_MOST the operands are not
counted: `check` (preflight.py) parses every page it can and warns.
The check costs about 60 ms per megabyte of decoded content, once per plan.
The content is read within the limits (stamping/limits.py); a full parse holds
every operator as a Python object (about twenty times the content's size), so
content past PARSED_AT_MOST is not parsed: if the cheap check flags it, it is
drawn as a form anyway, which is safe for any content.
"""

from __future__ import annotations

import re
import warnings

import pikepdf

from stamping.pdf._streams import PARSED_AT_MOST, read_stream

FORM_PREFIX = "/ExLibrisPage"  # plus a number: pages sharing resources keep their own forms
_OPERATOR = re.compile(rb"[A-Za-z'\"*]{1,3}\Z")
_BARE_OPERATOR = re.compile(rb"(?:[A-Za-z][A-Za-z0-9*]{0,2}|'|\")\Z")  # true, false, null too
# Operands each operator needs (ISO 32000-2, tables 50-51, 57, 59, 64-65, 74, 77, 105, 107).
ARITY = {
    "w": 1, "J": 1, "j": 1, "M": 1, "d": 2, "ri": 1, "i": 1, "gs": 1, "cm": 6,
    "m": 2, "l": 2, "c": 6, "v": 4, "y": 4, "re": 4, "CS": 1, "cs": 1, "G": 1, "g": 1,
    "RG": 3, "rg": 3, "K": 4, "k": 4, "sh": 1, "Do": 1, "Tc": 1, "Tw": 1, "Tz": 1,
    "TL": 1, "Tf": 2, "Tr": 1, "Ts": 1, "Td": 2, "TD": 2, "Tm": 6, "Tj": 1, "TJ": 1,
    "'": 1, '"': 3, "d0": 2, "d1": 6, "MP": 1, "DP": 2, "BMC": 1, "BDC": 2,
}  # fmt: skip
# Operators whose operands are all numbers or names, after the numbers and names before them.
_PLAIN = [op for op in ARITY if op not in ("Tj", "TJ", "'", '"', "d", "DP", "BDC")]
_SHORT = re.compile(
    rb"(?:^|(?<=[\x00\t\n\x0c\r ]))((?:(?:[-+]?(?:\d+\.?\d*|\.\d+)|/[^\s/\[\]()<>{}%]*)"
    rb"[\x00\t\n\x0c\r ]+)*)("
    + b"|".join(re.escape(op.encode()) for op in sorted(_PLAIN, key=len, reverse=True))
    + rb")(?=[\x00\t\n\x0c\r ]|$)"
)


def content_bytes(page: pikepdf.Dictionary) -> bytes | None:
    """The page's content streams decoded and joined; None when one cannot be decoded."""
    contents = page.get("/Contents")
    parts = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    try:
        return b"\n".join(read_stream(p, _named(p)) for p in parts if isinstance(p, pikepdf.Stream))
    except pikepdf.PdfError:
        return None


def _named(stream: pikepdf.Stream) -> str:
    number = stream.objgen[0]
    return f"this PDF's page content (object {number})" if number else "this PDF's page content"


def count_tokens(data: bytes, *tokens: bytes) -> list[int]:
    """How often each token stands alone (between white space) in `data`, without splitting it
    into a list (a list of 64 MB of `q Q` tokens takes a gigabyte)."""
    spaced = b"  " + re.sub(rb"[\x00\t\n\x0c\r ]+", b"  ", data) + b"  "
    return [spaced.count(b" " + token + b" ") for token in tokens]


def short_operands(data: bytes) -> bool:
    """Whether an operator of numbers and names seems to follow fewer of them than it needs
    (`0 cm`, `/F1 Tf`: pikepdf's ctm_cm.pdf): poppler aborts the page's drawing there, at
    the first one, so a footer drawn after it never shows. Text inside a string can look like
    one too; the full parse then tells."""
    for found in _SHORT.finditer(data):
        operator = found.group(2).decode("latin-1")
        if len(found.group(1).split()) < ARITY[operator]:
            return True
    return False


def looks_unbalanced(data: bytes) -> bool:
    """The cheap check: q/Q or BT/ET counts differ, the content does not end on an operator,
    or an operator seems short of operands."""
    tail = data[-4096:].split()  # the last operator and its operands
    if not tail:
        return False
    q, big_q, bt, et = count_tokens(data, b"q", b"Q", b"BT", b"ET")
    if q != big_q or bt != et or (len(data) <= PARSED_AT_MOST and short_operands(data)):
        return True
    tokens, last = tail, tail[-1]
    if _OPERATOR.match(last) is None:
        return True
    # The last operator short of operands: poppler would stop right before the footer.
    needed = ARITY.get(last.decode("latin-1"), 0)
    before = tokens[-1 - needed : -1] if needed else []
    return len(before) < needed or any(_BARE_OPERATOR.match(t) for t in before)


def isolate_if_broken(pdf: pikepdf.Pdf, page: pikepdf.Page) -> str | None:
    """Wrap the page's content as a form if it would break the stamp; why, in words, or None."""
    data = content_bytes(page.obj)
    if data is None or not looks_unbalanced(data):
        return None
    if len(data) > PARSED_AT_MOST:
        isolate(pdf, page, data)
        return "its content is unbalanced (too big to check in full)"
    fault = content_fault(page, data)
    if fault is not None:
        isolate(pdf, page, data)
    return fault


def content_fault(page: pikepdf.Page, data: bytes) -> str | None:
    """The first fault a full parse finds: unmatched Q or ET, open q or BT, missing operands."""
    try:
        with warnings.catch_warnings():  # the fault is reported in words below, not as a warning
            warnings.simplefilter("ignore", UserWarning)
            instructions = pikepdf.parse_content_stream(page)
    except (pikepdf.PdfError, ValueError) as exc:
        return f"its content cannot be parsed ({exc})"
    depth, text = 0, False
    for instruction in instructions:
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        # Not str(): an operator is whatever bytes the content holds (qpdf's
        # xref-compressed-in-compressed.pdf has garbage there), and str() decodes UTF-8.
        op = instruction.operator.unparse().decode("latin-1")
        count = len(instruction.operands)
        if count < ARITY.get(op, 0):
            return f"'{op}' has {count} of its {ARITY[op]} operands"
        if op == "q":
            depth += 1
        elif op == "Q":
            depth -= 1
            if depth < 0:
                return "it restores more graphics states (Q) than it saves (q)"
        elif op in ("BT", "ET"):
            if text == (op == "BT"):
                return f"'{op}' where a text object {'is open' if text else 'was never begun'}"
            text = op == "BT"
    if depth or text:
        return "it leaves a graphics state or a text object open"
    if _OPERATOR.match(data[-4096:].split()[-1]) is None:
        return "it ends in the middle of an operation"
    return None


def isolate(pdf: pikepdf.Pdf, page: pikepdf.Page, data: bytes) -> None:
    """Move the page's content into a Form XObject the page draws with one Do.

    The form uses the page's own resources, and is listed among them under a
    name of its own (resources may be shared by pages); that it lists itself
    does no harm, as its content never draws it."""
    page_obj = page.obj
    if not isinstance(page_obj.get("/Resources"), pikepdf.Dictionary):
        page_obj.Resources = pikepdf.Dictionary()
    resources = page_obj.Resources
    box = [float(v) for v in page_obj.get("/MediaBox", [0, 0, 612, 792])]
    form = pdf.make_stream(
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3])],
        Resources=resources,
    )
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        resources.XObject = pikepdf.Dictionary()
        xobjects = resources.XObject  # the dictionary as stored (pikepdf copies direct values)
    name = _free_name(xobjects)
    xobjects[name] = form
    page_obj.Contents = pdf.make_stream(name.encode() + b" Do")


def _free_name(xobjects: pikepdf.Dictionary) -> str:
    used = set(xobjects.keys())
    return next(
        f"{FORM_PREFIX}{n}" for n in range(len(used) + 1) if f"{FORM_PREFIX}{n}" not in used
    )
