"""Marking one spine document: an attribute and a comment at <body>, a footer line before </body>.

Text edits, not a re-serialised tree: the producer's entities, DOCTYPE,
namespaces, `dir`, `xml:lang`, vertical writing, SVG and MathML stay exactly
as they were. A document is split once (`split_document`) into the parts no
buyer changes and the two places where buyer data goes, so segments.py can
deflate the parts once per book and only the buyer's few bytes per copy.

The footer is one <div class="exlibris-footer">. Its look comes from the
ex-libris page's stylesheet, which every document with a footer links from
its <head>: rules marked !important that reset what a book's stylesheet
commonly sets on blocks, so the line looks the same in every book. Not an
inline `style`: EPUBCheck 4 then reports OPF-018 in every document declared
with remote resources (w3c/epubcheck#1335, fixed in 5.0 by #1437:
https://github.com/w3c/epubcheck/pull/1437), and Debian's is 4.2.6. A
document without a <head> keeps the inline style. On a fixed-layout page the
footer sits at the page's foot instead of after the content, where the
viewport would clip it (class exlibris-footer-fixed, beside the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import stamping.epub.marks as marks
import stamping.epub.text as text
import stamping.epub.xmltext as xmltext
from stamping.stamp import Stamp

XHTML_NS = "http://www.w3.org/1999/xhtml"
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_FOOTER_STYLE = (
    "display:block;clear:both;margin:2em 0 0 0;padding:0;border:0;text-indent:0;"
    "text-align:center;font-size:0.75em;font-style:normal;font-weight:normal;"
    "line-height:1.4;letter-spacing:normal;color:{color};"
)
_FIXED_STYLE = "position:absolute;left:0;right:0;bottom:0.5em;margin:0;"
FIXED_CLASS = "exlibris-footer-fixed"
_CLASS_VALUE = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Split:
    """A document as: head | buyer's opening | content | buyer's tail | end."""

    codec: str
    head: str  # up to where <body> gets its attribute (or, in SVG, the comment)
    tag_rest: str  # the rest of the <body> start tag, ending in ">"
    content: str  # the body's content
    end: str  # from </body> to the end of the document
    prefix: str  # the body's namespace prefix: "" or e.g. "h:"
    mode: str  # "data": add data-exlibris; "class": add a class attribute;
    # "class-token": head ends inside the class value; "svg": comment only; "": nothing
    linked: bool = False  # the head links the footer's stylesheet


@dataclass(frozen=True)
class DocumentMarks:
    """One buyer's fragments, rendered once per copy and reused in every document."""

    comment: str
    attribute: str  # EPUB 3: the data-exlibris value
    token: str  # EPUB 2: the class token
    footer_line: str  # the footer's inline content
    color: str


def document_marks(stamp: Stamp, *, epub3: bool, footer_template: str, color: str) -> DocumentMarks:
    """Render the buyer's fragments (escaped, cleaned) for every document of one copy."""
    return DocumentMarks(
        comment=marks.comment(stamp.order_id, stamp.code),
        attribute=xmltext.attr(marks.attribute(stamp.order_id, stamp.code)),
        token=xmltext.attr(marks.CLASS_PREFIX + stamp.code),
        footer_line=text.render(footer_template, stamp, epub3=epub3),
        color=footer_color(color),
    )


def footer_color(color: str) -> str:
    """The style's colour if it is #rrggbb, else a grey: it goes into CSS."""
    return color if _COLOR.fullmatch(color) else "#555555"


def split_document(
    raw: bytes,
    name: str,
    *,
    epub3: bool,
    svg: bool,
    css_href: str | None = None,
    sectioned: bool = False,
) -> Split | None:
    """The document's split, its head linking the stylesheet at `css_href` if given, the
    footer's place inside the last section when `sectioned` (EDUPUB allows no other element
    after a section); None when there is no <body> (or <svg> root) to mark; StampError if its
    DOCTYPE declares entities (xmltext.refuse_entities)."""
    xmltext.refuse_entities(raw, name)
    source, codec = xmltext.decode(raw, name)
    if svg:
        root = next(xmltext.start_tags(source, "svg"), None)
        if root is None or root.group(0).endswith("/>"):
            return None
        return Split(codec, source[: root.end()], "", source[root.end() :], "", "", "svg")
    body = next(xmltext.start_tags(source, "body"), None)
    if body is None:
        return None
    prefix, tag = body.group(1), body.group(0)
    empty = tag.endswith("/>")  # <body/>: it gets content, so an end tag
    close = len(tag) - (2 if empty else 1)
    cut, mode = close, "data"
    if not epub3:
        found = _CLASS_VALUE.search(tag)
        cut, mode = (found.end(found.lastindex or 1), "class-token") if found else (close, "class")
    elif xmltext.has_attribute(tag, marks.ATTRIBUTE):
        mode = ""
    tag_rest = tag[cut:close] + ">"
    before, linked = _linked(source[: body.start()], css_href)
    head = before + tag[:cut]
    if empty:
        rest = f"</{prefix}body>" + source[body.end() :]
        return Split(codec, head, tag_rest, "", rest, prefix, mode, linked)
    end = xmltext.end_tag(source, "body", prefix, body.end())
    if end is None:
        return None
    at = _last_section_end(source, body.end(), end.start(), prefix) if sectioned else end.start()
    content = source[body.end() : at]
    return Split(codec, head, tag_rest, content, source[at:], prefix, mode, linked)


def _last_section_end(source: str, start: int, at: int, prefix: str) -> int:
    """Where the innermost last section ends, when the content before `at` ends in sections."""
    closing = f"</{prefix}section>"
    while True:
        before = source[start:at].rstrip()
        if not before.endswith(closing):
            return at
        found = xmltext.end_tag(source[:at], "section", prefix, start)
        if found is None:
            return at
        at = found.start()


def _linked(before_body: str, css_href: str | None) -> tuple[str, bool]:
    """The text before <body> with a <link> to the stylesheet ending the <head>, if it has one."""
    start = next(xmltext.start_tags(before_body, "head"), None) if css_href else None
    if start is None or css_href is None or start.group(0).endswith("/>"):
        return before_body, False
    end = xmltext.end_tag(before_body, "head", start.group(1), start.end())
    if end is None:
        return before_body, False
    namespace = f' xmlns="{XHTML_NS}"' if start.group(1) else ""  # <h:head>: our link is XHTML
    link = f'<link{namespace} rel="stylesheet" type="text/css" href="{xmltext.attr(css_href)}"/>\n'
    return before_body[: end.start()] + link + before_body[end.start() :], True


def opening(split: Split, how: DocumentMarks) -> str:
    """What the buyer adds at <body>: the hidden attribute, the tag's rest, the comment."""
    if split.mode == "svg":
        return how.comment
    attribute = {
        "data": f' {marks.ATTRIBUTE}="{how.attribute}"',
        "class": f' class="{how.token}"',
        "class-token": f" {how.token}",
    }.get(split.mode, "")
    return f"{attribute}{split.tag_rest}\n{how.comment}"


def tail(split: Split, how: DocumentMarks, *, footer: bool, fixed: bool) -> str:
    """What the buyer adds before </body>: the footer line, or nothing."""
    if split.mode == "svg" or not footer:
        return ""
    namespace = f' xmlns="{XHTML_NS}"' if split.prefix else ""  # <h:body>: our div is XHTML
    if split.linked:
        look = (
            f' class="{marks.FOOTER_CLASS} {FIXED_CLASS}"'
            if fixed
            else f' class="{marks.FOOTER_CLASS}"'
        )
    else:
        style = _FOOTER_STYLE.format(color=how.color) + (_FIXED_STYLE if fixed else "")
        look = f' class="{marks.FOOTER_CLASS}" style="{style}"'
    return f"\n<div{namespace}{look}>{how.footer_line}</div>\n"
