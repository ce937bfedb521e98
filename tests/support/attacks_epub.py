"""What copiers do to an EPUB copy before they share it: the EPUB attack suite.

Each attack turns the copy at `src` into the file at `dst`, like
tests/support/attacks.py's for PDFs. The hand edits (a mark removed, the
ex-libris page deleted, two copies stitched) rezip the book as an editor
such as Sigil would; the conversions run the real tools (calibre's
ebook-convert, pandoc). Used by tests/unit/stamping/epub/test_tracing.py and
bench/attacks_epub.py.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

Attack = Callable[[Path, Path], None]
Files = dict[str, bytes]


def entries(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def rezipped(files: Files, comment: bytes = b"") -> bytes:
    """What a copier's tool writes after editing: a plain zip, maybe without our comment."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in files.items():
            book.writestr(name, data)
        book.comment = comment
    return out.getvalue()


def edit(files: Files, pattern: str, suffixes: tuple[str, ...]) -> Files:
    return {
        n: re.sub(pattern.encode(), b"", d, flags=re.S) if n.endswith(suffixes) else d
        for n, d in files.items()
    }


def _without_page(files: Files) -> Files:
    """The ex-libris page and its stylesheet gone from the zip, the manifest and the spine."""
    files = {n: d for n, d in files.items() if "exlibris." not in n}
    return edit(files, r'\s*<(?:opf:)?(?:item|itemref)\b[^>]*"exlibris-[^>]*/>', (".opf",))


STRIPS: dict[str, Callable[[Files], Files]] = {  # what a copier removes, by hand
    "page": _without_page,
    "footer": lambda f: edit(f, r'<div[^>]*class="exlibris-footer".*?</div>', (".xhtml",)),
    "opf": lambda f: edit(f, r'<meta name="exlibris:[^>]*/>', (".opf",)),
    "comment": lambda f: edit(f, r"<!-- exlibris .*? -->", (".xhtml", ".svg")),
    "attribute": lambda f: edit(
        edit(f, r' data-exlibris="[^"]*"| class="exlibris-code-[^"]*"', (".xhtml", ".svg")),
        r"(?<=[\" ]) ?exlibris-code-[0-9A-Z-]+",  # a token among the producer's classes
        (".xhtml", ".svg"),
    ),
}


def stripping(*strips: str, comment: bool = False) -> Attack:
    """An attack removing the marks named (zip comment kept unless `comment`)."""

    def attack(src: Path, dst: Path) -> None:
        data = src.read_bytes()
        files = entries(data)
        for strip in strips:
            files = STRIPS[strip](files)
        kept = b"" if comment else zipfile.ZipFile(io.BytesIO(data)).comment
        dst.write_bytes(rezipped(files, kept))

    return attack


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=300)


def calibre(source: Path, target: Path) -> None:
    """calibre's ebook-convert, the tool a copier reaches for: it rewrites every document."""
    run("ebook-convert", source, target)


def calibre_via_azw3(src: Path, dst: Path) -> None:
    """To Kindle's AZW3 and back, as a copier moving a book between readers does."""
    with tempfile.TemporaryDirectory() as folder:
        middle = Path(folder) / "copy.azw3"
        calibre(src, middle)
        calibre(middle, dst)


def pandoc(src: Path, dst: Path) -> None:
    """pandoc reading the copy and writing a new EPUB: new package, new file names."""
    run("pandoc", src, "-o", dst)


def pandoc_via_html(src: Path, dst: Path) -> None:
    """The book flattened to one standalone HTML page, then made an EPUB again."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "book.html"
        run("pandoc", src, "-s", "-t", "html", "--extract-media", folder, "-o", page)
        run("pandoc", page, "-o", dst)


def merge_chapters(first: Path, second: Path, dst: Path) -> None:
    """Two buyers' copies stitched: the first copy whole, then the second's chapters appended
    (renamed, in manifest and spine), no zip comment."""
    files, theirs = entries(first.read_bytes()), entries(second.read_bytes())
    [opf] = [n for n in files if n.endswith(".opf")]
    folder = opf.rpartition("/")[0] + "/" if "/" in opf else ""
    items, refs = [], []
    for n, (name, data) in enumerate(sorted(theirs.items())):
        if not re.search(r"chapter[^/]*\.xhtml$", name):
            continue
        href = "b-" + name[len(folder) :]
        files[folder + href] = data
        items.append(f'<item id="b{n}" href="{href}" media-type="application/xhtml+xml"/>')
        refs.append(f'<itemref idref="b{n}"/>')
    package = files[opf].decode()
    package = package.replace("</manifest>", "".join(items) + "</manifest>")
    files[opf] = package.replace("</spine>", "".join(refs) + "</spine>").encode()
    dst.write_bytes(rezipped(files))


ATTACKS: dict[str, Attack] = {
    "OPF marks stripped": stripping("opf"),
    "zip comment stripped": stripping(comment=True),
    "ex-libris page removed (spine, manifest, zip)": stripping("page"),
    "chapter footers removed": stripping("footer"),
    "HTML comments stripped": stripping("comment"),
    "data-exlibris attributes and class tokens stripped": stripping("attribute"),
    "all of the above at once": stripping(*STRIPS, comment=True),
    "calibre ebook-convert EPUB to EPUB": calibre,
    "calibre EPUB to AZW3 to EPUB": calibre_via_azw3,
    "pandoc EPUB to EPUB": pandoc,
    "pandoc EPUB to HTML to EPUB": pandoc_via_html,
}
