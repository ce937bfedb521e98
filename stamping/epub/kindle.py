"""Kindle preflight: what in an EPUB Send to Kindle is known to refuse (error E999) or drop.

Amazon answers a book it cannot convert with a mail naming error E999 and no reason. The
causes reported: a file over the mail's size, a malformed EPUB (and the navigation above
all: an EPUB 3 nav document or an EPUB 2 toc.ncx that is missing or broken), DRM
(leafbind.io/guides/send-to-kindle-error-e999; lifetrick24.blogspot.com/2023/03/
common-failure-reasons-and-solutions.html). Kindle's converter takes TrueType and OpenType
fonts and JPEG, PNG, GIF and SVG images (Amazon's Kindle Publishing Guidelines, "Fonts"
and "Image guidelines"); WOFF fonts and WebP, AVIF, TIFF or JPEG XL images are not among
them. DRM is refused by the preflight already (encryption.py). These are warnings, not
problems: the book stamps and downloads as before; only its Kindle delivery is at risk.
"""

from __future__ import annotations

from stamping.epub.book import Book
from stamping.kindle import AMAZON_MAIL_LIMIT, LARGEST_BOOK

NCX = "application/x-dtbncx+xml"
_FONTS = {"font/woff", "font/woff2", "application/font-woff", "application/font-woff2"}
_FONT_EXTENSIONS = (".woff", ".woff2")
_IMAGES = {"image/webp", "image/avif", "image/tiff", "image/jxl", "image/heic"}


def kindle_warnings(book: Book, copy_size: int) -> tuple[str, ...]:
    """What Send to Kindle may refuse in this book, each with what to do; () when nothing."""
    found = []
    package = book.package
    if package.epub3 and package.nav is None:
        found.append(
            "Send to Kindle: no nav document (an EPUB 3 needs one); Amazon refuses such a "
            "book with error E999: add a table of contents (nav) and check it with EPUBCheck"
        )
    if not package.epub3 and not any(i.media_type == NCX for i in package.items.values()):
        found.append(
            "Send to Kindle: no toc.ncx (an EPUB 2 needs one); Amazon refuses such a book "
            "with error E999: add an NCX table of contents"
        )
    fonts = sorted(
        i.path
        for i in package.items.values()
        if i.media_type in _FONTS or i.path.lower().endswith(_FONT_EXTENSIONS)
    )
    if fonts:
        found.append(
            f"Send to Kindle: WOFF fonts ({_some(fonts)}); Kindle takes TrueType and OpenType "
            "only, so it drops them or refuses the book (E999): embed .ttf or .otf instead"
        )
    images = sorted(i.path for i in package.items.values() if i.media_type in _IMAGES)
    if images:
        found.append(
            f"Send to Kindle: images Kindle does not take ({_some(images)}); it converts JPEG, "
            "PNG, GIF and SVG: save them as JPEG or PNG"
        )
    if copy_size > LARGEST_BOOK:
        where = "Amazon's own" if copy_size > AMAZON_MAIL_LIMIT else "our mail provider's"
        found.append(
            f"Send to Kindle: a stamped copy is {copy_size / 1e6:.1f} MB, over {where} limit "
            f"for one mail ({LARGEST_BOOK / 1e6:.1f} MB of book after base64), so the download "
            "page offers no Send to Kindle: shrink the images to offer it"
        )
    return tuple(found)


def _some(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown if len(paths) <= 3 else f"{shown} and {len(paths) - 3} more"
