"""Test books, built at test time: three real producers and four hand-made shapes.

- pandoc (Debian's `pandoc`): EPUB 3 with a cover image, a title page and MathML;
- Sphinx's `epub` builder, on a two-page project in a temp folder;
- ebooklib: the demo's sample book (demo/sample_epub.py);
- a fixed-layout EPUB 3 (viewport 600x800, page spreads, one SVG page);
- an EPUB 2 with only an NCX (XHTML 1.1, a guide cover, a <body class>);
- an EPUB 3 whose font is obfuscated with the IDPF algorithm (and one with Adobe's);
- a right-to-left EPUB 3 (Arabic, page-progression-direction rtl), with a Hebrew
  chapter and a Japanese one in vertical writing.

The hand-made ones are written by `zip_epub`, which does what OCF asks:
mimetype first and stored, then META-INF/container.xml.
"""

from __future__ import annotations

import functools
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from fontTools import subset
from PIL import Image

from demo.sample_epub import make_sample_epub

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
UUID = "urn:uuid:3b7c8f2e-1d4a-4e6b-9c0d-5f2a7e8b9c10"
IDPF, ADOBE = "http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"


def zip_epub(files: dict[str, str | bytes], opf: str = "OEBPS/content.opf") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # stored
        book.writestr("META-INF/container.xml", CONTAINER.format(opf=opf))
        for name, data in files.items():
            book.writestr(name, data)
    return out.getvalue()


def xhtml3(title: str, body: str, *, lang: str = "en", head: str = "", attrs: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
lang="{lang}" xml:lang="{lang}"{attrs}>
<head><meta charset="utf-8"/><title>{title}</title>{head}</head>
<body>
{body}
</body>
</html>
"""


def opf3(
    manifest: str, spine: str, *, meta: str = "", lang: str = "en", spine_attrs: str = ""
) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" \
xml:lang="{lang}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">{UUID}</dc:identifier>
    <dc:title>A test book</dc:title>
    <dc:language>{lang}</dc:language>
    <meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>{meta}
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{manifest}
  </manifest>
  <spine{spine_attrs}>{spine}
  </spine>
</package>
"""


def nav3(entries: list[tuple[str, str]], *, lang: str = "en") -> str:
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in entries)
    body = f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{items}</ol></nav>'
    return xhtml3("Contents", body, lang=lang)


# --- real producers ---


def pandoc_book(folder: Path) -> bytes:
    """pandoc's EPUB 3: cover image, title page, nav, NCX, MathML (--mathml)."""
    folder.mkdir(parents=True, exist_ok=True)
    cover = folder / "cover.png"
    Image.new("RGB", (600, 900), (120, 30, 40)).save(cover)
    source = folder / "book.md"
    source.write_text(
        "---\ntitle: A pandoc book\nauthor: Ada\nlang: en\n---\n\n"
        "# One\n\nHello *world*, a [link](https://example.com).\n\n"
        "# Two\n\nEuler: $e^{i\\pi} + 1 = 0$.\n\n```python\nprint('hi')\n```\n",
        encoding="utf-8",
    )
    target = folder / "pandoc.epub"
    subprocess.run(
        ["pandoc", str(source), "-o", str(target), "--mathml", f"--epub-cover-image={cover}"],
        check=True,
        capture_output=True,
    )
    return target.read_bytes()


SPHINX_CONF = """project = "Tiny Sphinx Book"
author = "Ada"
copyright = "2024, Ada"
version = release = "1.0"
language = "en"
epub_basename = "tiny"
# Sphinx writes epub_uid as the NCX's dtb:uid, which epubcheck compares with the
# identifier itself (NCX-001): so both are the same XML name.
epub_uid = epub_identifier = "TinySphinxBook2024"
"""


def sphinx_book(folder: Path) -> bytes:
    """Sphinx's `epub` builder on a two-page project (index, one chapter)."""
    source = folder / "src"
    source.mkdir(parents=True, exist_ok=True)
    (source / "conf.py").write_text(SPHINX_CONF, encoding="utf-8")
    (source / "index.rst").write_text(
        "Tiny\n====\n\n.. toctree::\n\n   one\n\nWelcome.\n", encoding="utf-8"
    )
    (source / "one.rst").write_text(
        "One\n===\n\nChapter one, with *emphasis* and ``code``.\n", encoding="utf-8"
    )
    out, doctrees = folder / "out", folder / "doctrees"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-b",
            "epub",
            "-d",
            str(doctrees),
            str(source),
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return (out / "tiny.epub").read_bytes()


def ebooklib_book() -> bytes:
    return make_sample_epub(3, paragraphs=4)


# --- hand-made shapes ---


def fixed_layout_book() -> bytes:
    """Pre-paginated EPUB 3 of 600x800 pages in spreads, one of them an SVG page."""
    viewport = '<meta name="viewport" content="width=600, height=800"/>'
    head = viewport + '<link rel="stylesheet" type="text/css" href="page.css"/>'
    pages = {
        f"OEBPS/page-{n}.xhtml": xhtml3(
            f"Page {n}", f'<div class="page"><p>Page {n}</p></div>', head=head
        )
        for n in (1, 2, 3)
    }
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="600" height="800" '
        'viewBox="0 0 600 800"><title>Page 4</title><rect width="600" height="800" fill="#eee"/>'
        '<text x="40" y="80">Page 4</text></svg>\n'
    )
    manifest = "".join(
        f'\n    <item id="p{n}" href="page-{n}.xhtml" media-type="application/xhtml+xml"/>'
        for n in (1, 2, 3)
    )
    manifest += '\n    <item id="p4" href="page-4.svg" media-type="image/svg+xml"/>'
    manifest += '\n    <item id="css" href="page.css" media-type="text/css"/>'
    spreads = ["page-spread-right", "page-spread-left"] * 2  # EPUB 3's own spine vocabulary
    spine = "".join(
        f'\n    <itemref idref="p{n}" properties="{spreads[n - 1]}"/>' for n in (1, 2, 3, 4)
    )
    meta = (
        '\n    <meta property="rendition:layout">pre-paginated</meta>'
        '\n    <meta property="rendition:spread">auto</meta>'
    )
    files: dict[str, str | bytes] = {
        "OEBPS/content.opf": opf3(manifest, spine, meta=meta),
        "OEBPS/nav.xhtml": nav3([("page-1.xhtml", "Cover"), ("page-2.xhtml", "Story")]),
        "OEBPS/page.css": "html, body { margin: 0; width: 600px; height: 800px; }\n",
        **pages,
        "OEBPS/page-4.svg": svg,
    }
    return zip_epub(files)


XHTML11 = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">
<head><title>{title}</title><link rel="stylesheet" type="text/css" href="style.css"/></head>
<body{attrs}>
{body}
</body>
</html>
"""


def epub2_book() -> bytes:
    """EPUB 2.0.1: an NCX and no nav document, a guide cover, XHTML 1.1 chapters."""
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="BookId">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>An EPUB 2 book</dc:title>
    <dc:language>en</dc:language>
    <dc:identifier id="BookId" opf:scheme="UUID">{UUID}</dc:identifier>
    <meta name="cover" content="cover-image"/>
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>
    <item id="cover-image" href="cover.png" media-type="image/png"/>
    <item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
    <item id="c2" href="chapter2.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="cover" linear="no"/>
    <itemref idref="c1"/>
    <itemref idref="c2"/>
  </spine>
  <guide>
    <reference type="cover" title="Cover" href="cover.xhtml"/>
  </guide>
</package>
"""
    ncx = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <head>
    <meta name="dtb:uid" content="{UUID}"/><meta name="dtb:depth" content="1"/>
    <meta name="dtb:totalPageCount" content="0"/><meta name="dtb:maxPageNumber" content="0"/>
  </head>
  <docTitle><text>An EPUB 2 book</text></docTitle>
  <navMap>
    <navPoint id="n1" playOrder="1"><navLabel><text>One</text></navLabel>
      <content src="chapter1.xhtml"/></navPoint>
    <navPoint id="n2" playOrder="2"><navLabel><text>Two</text></navLabel>
      <content src="chapter2.xhtml"/></navPoint>
  </navMap>
</ncx>
"""
    cover = io.BytesIO()
    Image.new("RGB", (300, 450), (20, 60, 90)).save(cover, "PNG")
    files: dict[str, str | bytes] = {
        "OEBPS/content.opf": opf,
        "OEBPS/toc.ncx": ncx,
        "OEBPS/cover.xhtml": XHTML11.format(
            title="Cover", attrs="", body='<div><img src="cover.png" alt="Cover"/></div>'
        ),
        "OEBPS/cover.png": cover.getvalue(),
        "OEBPS/chapter1.xhtml": XHTML11.format(
            title="One",
            attrs=' class="chapter"',
            body="<h1>One</h1><p>It was a dark&#160;night.</p>",
        ),
        "OEBPS/chapter2.xhtml": XHTML11.format(
            title="Two", attrs="", body="<h1>Two</h1><p>And then &#8212; morning.</p>"
        ),
        "OEBPS/style.css": "body { font-family: serif; } .chapter p { text-indent: 1em; }\n",
    }
    return zip_epub(files)


@functools.cache
def small_font() -> bytes:
    """DejaVu Sans cut down to ASCII: a real TrueType font, a few kilobytes."""
    options = subset.Options()
    font = subset.load_font(str(FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chr(c) for c in range(32, 127)))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def idpf_key(identifier: str) -> bytes:
    """OCF 3 obfuscation key: SHA-1 of the unique identifier without XML white space."""
    return hashlib.sha1("".join(identifier.split()).encode("utf-8")).digest()  # noqa: S324


def adobe_key(identifier: str) -> bytes:
    """Adobe's key: the 16 bytes of the identifier's UUID."""
    return bytes.fromhex(identifier.removeprefix("urn:uuid:").replace("-", ""))


def obfuscate(data: bytes, key: bytes, length: int) -> bytes:
    """XOR the first `length` bytes with the key, repeated; its own inverse."""
    head = bytes(b ^ key[i % len(key)] for i, b in enumerate(data[:length]))
    return head + data[length:]


def idpf(data: bytes, identifier: str = UUID) -> bytes:
    return obfuscate(data, idpf_key(identifier), 1040)


def adobe(data: bytes, identifier: str = UUID) -> bytes:
    return obfuscate(data, adobe_key(identifier), 1024)


ENCRYPTION = """<?xml version="1.0" encoding="UTF-8"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
            xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData>
    <enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData>
  </enc:EncryptedData>
</encryption>
"""


def font_book(font: bytes, algorithm: str = IDPF) -> bytes:
    """An EPUB 3 that embeds `font` obfuscated with `algorithm` (IDPF or Adobe)."""
    mangled = idpf(font) if algorithm == IDPF else adobe(font)
    css = (
        '@font-face { font-family: "Book"; src: url(fonts/book.ttf); }\n'
        'body { font-family: "Book", serif; }\n'
    )
    head = '<link rel="stylesheet" type="text/css" href="style.css"/>'
    manifest = (
        '\n    <item id="c1" href="chapter.xhtml" media-type="application/xhtml+xml"/>'
        '\n    <item id="css" href="style.css" media-type="text/css"/>'
        '\n    <item id="font" href="fonts/book.ttf" media-type="font/ttf"/>'
    )
    files: dict[str, str | bytes] = {
        "OEBPS/content.opf": opf3(manifest, '\n    <itemref idref="c1"/>'),
        "OEBPS/nav.xhtml": nav3([("chapter.xhtml", "The chapter")]),
        "OEBPS/chapter.xhtml": xhtml3(
            "Chapter", "<h1>Chapter</h1><p>Set in the book's font.</p>", head=head
        ),
        "OEBPS/style.css": css,
        "OEBPS/fonts/book.ttf": mangled,
        "META-INF/encryption.xml": ENCRYPTION.format(
            algorithm=algorithm, uri="OEBPS/fonts/book.ttf"
        ),
    }
    return zip_epub(files)


def rtl_book() -> bytes:
    """Arabic, right to left (spine and documents), a Hebrew chapter, a vertical Japanese one."""
    css = (
        "body { font-family: serif; }\n"
        ".vertical { writing-mode: vertical-rl; -epub-writing-mode: vertical-rl; }\n"
    )
    head = '<link rel="stylesheet" type="text/css" href="style.css"/>'
    chapters = {
        "OEBPS/ar.xhtml": xhtml3(
            "الفصل",
            "<h1>الفصل الأول</h1><p>كان يا ما كان.</p>",
            lang="ar",
            head=head,
            attrs=' dir="rtl"',
        ),
        "OEBPS/he.xhtml": xhtml3(
            "פרק", "<h1>פרק שני</h1><p>היה היה פעם.</p>", lang="he", head=head, attrs=' dir="rtl"'
        ),
        "OEBPS/ja.xhtml": xhtml3(
            "章",
            '<div class="vertical"><h1>第三章</h1><p>むかしむかし。</p></div>',
            lang="ja",
            head=head,
        ),
    }
    manifest = (
        "".join(
            f'\n    <item id="{name}" href="{name}.xhtml" media-type="application/xhtml+xml"/>'
            for name in ("ar", "he", "ja")
        )
        + '\n    <item id="css" href="style.css" media-type="text/css"/>'
    )
    spine = "".join(f'\n    <itemref idref="{name}"/>' for name in ("ar", "he", "ja"))
    files: dict[str, str | bytes] = {
        "OEBPS/content.opf": opf3(
            manifest, spine, lang="ar", spine_attrs=' page-progression-direction="rtl"'
        ),
        "OEBPS/nav.xhtml": nav3(
            [("ar.xhtml", "الفصل"), ("he.xhtml", "פרק"), ("ja.xhtml", "章")], lang="ar"
        ),
        "OEBPS/style.css": css,
        **chapters,
    }
    return zip_epub(files)
