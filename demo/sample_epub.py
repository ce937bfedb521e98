"""The sample book as an EPUB 3, built with ebooklib: what the demo sells beside the PDF.

Generated at demo time, never committed. It has what a stamper can lose: a
cover page and cover image, a nav document and an NCX, a stylesheet, links
between chapters, code listings and, optionally, photo-like images (the
benchmark uses them to weigh the book to about 10 MB, as real ones do).
"""

from __future__ import annotations

import io
import random

from ebooklib import epub
from PIL import Image, ImageDraw

IDENTIFIER = "urn:uuid:6f1f6c9e-2b7a-4c55-9d3e-0e5a1c2b7f10"
STYLE = """body { font-family: serif; line-height: 1.45; margin: 0 5%; }
h1 { font-size: 1.6em; margin: 1.5em 0 0.8em; }
p { text-indent: 1.2em; margin: 0; }
pre { font-family: monospace; font-size: 0.85em; background: #f4f4f4; padding: 0.6em; }
img { max-width: 100%; }
"""
_WORDS = [
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
]


def make_sample_epub(
    chapters: int = 6,
    *,
    title: str = "Practical Python Projects",
    author: str = "Ada Example",
    paragraphs: int = 12,
    images: int = 0,
    image_size: tuple[int, int] = (640, 480),
) -> bytes:
    """Build the sample book as EPUB bytes; `images` photo-like JPEGs spread over the chapters."""
    rng = random.Random(7)  # noqa: S311 - filler text and pixels, not secrets
    book = epub.EpubBook()
    book.set_identifier(IDENTIFIER)
    book.set_title(title)
    book.set_language("en")
    book.add_author(author)
    book.set_cover("images/cover.jpg", _cover(title, author))
    css = epub.EpubItem(uid="style", file_name="style.css", media_type="text/css", content=STYLE)
    book.add_item(css)
    pictures = [_photo(rng, image_size) for _ in range(images)]
    pages = []
    for number in range(1, chapters + 1):
        mine = pictures[number - 1 :: chapters]
        page = _chapter(book, number, chapters, paragraphs, mine, rng)
        page.add_item(css)
        pages.append(page)
    book.toc = tuple(pages)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["cover", "nav", *pages]
    out = io.BytesIO()
    epub.write_epub(out, book, {"raise_exceptions": True})
    return out.getvalue()


def _chapter(
    book: epub.EpubBook,
    number: int,
    chapters: int,
    paragraphs: int,
    pictures: list[bytes],
    rng: random.Random,
) -> epub.EpubHtml:
    page = epub.EpubHtml(title=f"Chapter {number}", file_name=f"chapter-{number:02d}.xhtml")
    body = [f'<h1 id="top">Chapter {number}</h1>']
    for n in range(paragraphs):
        body.append(f"<p>{' '.join(rng.choice(_WORDS) for _ in range(90))}.</p>")
        if n == 2:
            body.append(f"<pre><code>def chapter_{number}():\n    return {number} * 2</code></pre>")
    for k, data in enumerate(pictures):
        name = f"images/chapter-{number:02d}-{k}.jpg"
        book.add_item(epub.EpubImage(uid=f"img-{number}-{k}", file_name=name, content=data))
        body.append(f'<p><img src="{name}" alt="Figure {number}.{k}"/></p>')
    following = number % chapters + 1
    body.append(f'<p><a href="chapter-{following:02d}.xhtml#top">On to chapter {following}</a></p>')
    page.content = "\n".join(body)
    book.add_item(page)
    return page


def _cover(title: str, author: str) -> bytes:
    image = Image.new("RGB", (600, 900), (32, 64, 96))
    draw = ImageDraw.Draw(image)
    draw.text((60, 380), title, fill=(255, 255, 255))
    draw.text((60, 430), author, fill=(220, 220, 220))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _photo(rng: random.Random, size: tuple[int, int]) -> bytes:
    """Noise does not compress: each image weighs what a photo of its size does."""
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()
