"""The ex-libris page: "This copy belongs to …", as its own XHTML document with its own small CSS.

The page links only its own stylesheet, so nothing of the book's styles
reaches it and nothing of it reaches the book. EPUB 3 gets an HTML5 document
(<bdi> around buyer data, the /verify link); EPUB 2 an XHTML 1.1 one. In a
fixed-layout book the page declares the book's own viewport and fills it.
"""

from __future__ import annotations

from dataclasses import dataclass

import stamping.epub.documents as documents
import stamping.epub.marks as marks
import stamping.epub.text as text
import stamping.epub.xmltext as xmltext
from stamping.stamp import Stamp

TITLE = marks.PAGE_TITLE  # trace finds the page by it
TITLE_ID, INDEX_CLASS = "exlibris-title", "exlibris-index"
_DOCTYPE2 = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
    '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
)
_CSS = """/* exlibris: the ex-libris page's own styles; the book's stylesheets are not linked */
body.{page} {{ margin: 0; padding: 0; text-align: center; color: #222222;
  background: transparent;{size} }}
.exlibris-plate {{ margin: {top} auto 0 auto; padding: 1.2em 1em; max-width: 28em;
  border-top: 1px solid #999999; border-bottom: 1px solid #999999; font-size: {font}; }}
.exlibris-title {{ margin: 0 0 0.8em 0; font-size: 1.4em; font-style: italic; font-weight: normal;
  letter-spacing: 0.08em; text-indent: 0; }}
.exlibris-text {{ margin: 0; line-height: 1.5; text-indent: 0; }}
.exlibris-verify {{ margin: 1em 0 0 0; font-size: 0.8em; text-indent: 0; word-wrap: break-word; }}
.exlibris-verify a {{ color: #222222; }}
.exlibris-seller {{ margin: 1em 0 0 0; font-size: 0.8em; font-variant: small-caps;
  letter-spacing: 0.05em; text-indent: 0; }}
.exlibris-index {{ display: none; }}
"""
# The footer line in the book's own documents, which link this file: each rule wins over the
# book's (!important), so the line looks the same in every book.
_FOOTER_CSS = """div.{footer} {{ display: block !important; clear: both !important;
  margin: 2em 0 0 0 !important; padding: 0 !important; border: 0 !important;
  text-indent: 0 !important; text-align: center !important; font-size: 0.75em !important;
  font-style: normal !important; font-weight: normal !important; line-height: 1.4 !important;
  letter-spacing: normal !important; color: {color} !important; }}
div.{fixed} {{ position: absolute !important; left: 0 !important; right: 0 !important;
  bottom: 0.5em !important; margin: 0 !important; }}
"""


@dataclass(frozen=True)
class Page:
    epub3: bool
    language: str
    rtl: bool
    viewport: tuple[int, int] | None  # fixed layout: the book's page size in CSS px
    index: bool = False  # a whole-publication index (dc:type index): every document holds one


def page_css(page: Page, color: str = "#555555", accent: str = "") -> str:
    """The stylesheet: the page's, sized to the viewport on a fixed-layout page, its plate's
    rules in the imprint's `accent` when it has one, and the footer line's in `color`."""
    footer = _FOOTER_CSS.format(
        footer=marks.FOOTER_CLASS, fixed=documents.FIXED_CLASS, color=documents.footer_color(color)
    )
    if page.viewport is None:
        css = _CSS.format(page=marks.PAGE_CLASS, size="", top="3em", font="1em")
    else:
        width, height = page.viewport
        size = f" width: {width}px; height: {height}px; overflow: hidden;"
        font = f"{max(12, round(min(width, height) / 28))}px"
        top = f"{round(height / 4)}px"
        css = _CSS.format(page=marks.PAGE_CLASS, size=size, top=top, font=font)
    return css + _accent(accent) + footer


def _accent(accent: str) -> str:
    """The imprint's colour on the plate's rules; nothing unless it is a plain #rrggbb."""
    if not accent or documents.footer_color(accent) != accent:
        return ""
    return f".exlibris-plate {{ border-color: {accent}; }}\n"


def page_xhtml(page: Page, stamp: Stamp, template: str, css_href: str) -> str:
    """The page's XHTML, with the same hidden marks as every stamped document."""
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<!DOCTYPE html>" if page.epub3 else _DOCTYPE2,
            f"<html {_html_attrs(page)}>",
            "<head>",
            *_head(page, css_href),
            "</head>",
            f"<body {_body_attrs(page, stamp)}>",
            marks.comment(stamp.order_id, stamp.code),
            '<div class="exlibris-plate">',
            # A heading: EDUPUB (and assistive technology) wants one for the page.
            f'<h1 class="exlibris-title" id="{TITLE_ID}">{TITLE}</h1>',
            f'<p class="exlibris-text">{text.render(template, stamp, epub3=page.epub3)}</p>',
            *_verify(stamp),
            *_seller(stamp, epub3=page.epub3),
            "</div>",
            *_index(page),
            "</body>",
            "</html>",
            "",
        ]
    )


def _html_attrs(page: Page) -> str:
    """The namespaces, and the book's language and direction."""
    lang = xmltext.attr(page.language or "en")
    direction = "rtl" if page.rtl else "ltr"
    attrs = f'xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" dir="{direction}"'
    if page.epub3:
        attrs += f' lang="{lang}" xmlns:epub="http://www.idpf.org/2007/ops"'
    return attrs


def _head(page: Page, css_href: str) -> list[str]:
    """The charset, the title, a fixed-layout page's viewport and the page's own stylesheet."""
    if page.epub3:
        head = ['<meta charset="utf-8"/>']
    else:
        head = ['<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>']
    head.append(f"<title>{TITLE}</title>")
    if page.viewport is not None:
        width, height = page.viewport
        head.append(f'<meta name="viewport" content="width={width}, height={height}"/>')
    head.append(f'<link rel="stylesheet" type="text/css" href="{xmltext.attr(css_href)}"/>')
    return head


def _body_attrs(page: Page, stamp: Stamp) -> str:
    """The body's class and hidden mark: an attribute in EPUB 3, a class token in EPUB 2."""
    if page.epub3:
        hidden = xmltext.attr(marks.attribute(stamp.order_id, stamp.code))
        return f'class="{marks.PAGE_CLASS}" {marks.ATTRIBUTE}="{hidden}"'
    token = xmltext.attr(marks.CLASS_PREFIX + stamp.code)
    return f'class="{marks.PAGE_CLASS} {token}"'


def _index(page: Page) -> list[str]:
    """In a book that is an index as a whole, the index every content document must hold
    (EPUB Indexes 1.0, 2.3.2.1): one entry, the page itself, not shown."""
    if not (page.index and page.epub3):
        return []
    return [
        f'<section class="{INDEX_CLASS}" epub:type="index">',
        f'<h2>{TITLE}</h2><ul epub:type="index-entry-list"><li><span epub:type="index-term">'
        f'{TITLE}</span>, <a epub:type="index-locator" href="#{TITLE_ID}">1</a></li></ul>',
        "</section>",
    ]


def _seller(stamp: Stamp, *, epub3: bool) -> list[str]:
    """The imprint the copy was sold under, isolated from the page's direction like a name."""
    seller = text.one_line(stamp.seller)
    if not seller:
        return []
    shown = xmltext.text(seller)
    isolated = f"<bdi>{shown}</bdi>" if epub3 else f"{text.FSI}{shown}{text.PDI}"
    return [f'<p class="exlibris-seller">{isolated}</p>']


def _verify(stamp: Stamp) -> list[str]:
    if not stamp.verify_url:
        return []
    url = text.one_line(stamp.verify_url)
    href, shown = xmltext.attr(url), xmltext.text(url)
    return [f'<p class="exlibris-verify"><a href="{href}">{shown}</a></p>']
