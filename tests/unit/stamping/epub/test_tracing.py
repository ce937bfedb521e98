"""Tracing a leaked EPUB: each mark on its own, and what is left after a copier strips the rest."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from common.codes import make_code
from console.files._trace import authentic_with
from demo.sample_epub import make_sample_epub
from stamping.epub.stamper import stamp_epub
from stamping.epub.tracing import TraceError, trace_epub
from stamping.formats import stamp_file, trace_file
from stamping.stamp import Stamp
from tests.support import attacks_epub
from tests.support.attacks_epub import STRIPS, calibre, rezipped
from tests.unit.stamping.epub.conftest import STAMP, Library
from tests.unit.stamping.epub.helpers import entries

Copy = Callable[[str], bytes]
ORDER, CODE = STAMP.order_id, STAMP.code


@pytest.mark.parametrize(
    ("stripped", "left", "order"),
    [
        ((), ("opf", "zip-comment", "comment", "attribute", "footer", "exlibris-page"), ORDER),
        (("page",), ("opf", "comment", "attribute", "footer"), ORDER),
        (("page", "footer"), ("opf", "comment", "attribute"), ORDER),
        (("page", "footer", "opf"), ("comment", "attribute"), ORDER),
        (("page", "footer", "opf", "comment"), ("attribute",), ORDER),
    ],
    ids=["intact", "no-page", "no-footer", "no-opf-meta", "attribute-only"],
)
def test_the_order_survives_stripping(
    stamped: Copy, stripped: tuple[str, ...], left: tuple[str, ...], order: str
) -> None:
    files = entries(stamped("pandoc"))
    for strip in stripped:
        files = STRIPS[strip](files)
    data = stamped("pandoc") if not stripped else rezipped(files)
    trace = trace_epub(data)
    assert (trace.order_id, trace.code, trace.marks) == (order, CODE, left)


def test_an_epub2_copy_traces_by_code_when_only_its_class_tokens_survive(stamped: Copy) -> None:
    files = entries(stamped("epub2"))
    for strip in ("page", "footer", "opf", "comment"):
        files = STRIPS[strip](files)
    trace = trace_epub(rezipped(files))
    assert (trace.order_id, trace.code, trace.marks) == (None, CODE, ("attribute",))


def test_the_zip_comment_alone_names_the_order(library: Library, stamped: Copy) -> None:
    comment = zipfile.ZipFile(io.BytesIO(stamped("rtl"))).comment
    trace = trace_epub(rezipped(entries(library["rtl"]), comment))
    assert (trace.order_id, trace.marks) == (ORDER, ("zip-comment",))


def test_an_unstamped_book_has_no_marks(library: Library) -> None:
    trace = trace_epub(library["sphinx"])
    assert (trace.order_id, trace.code, trace.marks) == (None, None, ())


@pytest.mark.parametrize(
    "data", [b"", b"not a zip", b"PK\x03\x04garbage"], ids=["empty", "text", "bad-zip"]
)
def test_a_file_that_is_no_zip_is_a_trace_error(data: bytes) -> None:
    with pytest.raises(TraceError):
        trace_epub(data)


def test_mangled_marks_are_skipped_not_fatal(stamped: Copy) -> None:
    files = entries(stamped("ebooklib"))
    files = {n: d.replace(b'"order":', b'"order":{[') for n, d in files.items()}
    trace = trace_epub(rezipped(files, b"exlibris {not json"))
    assert trace.code == CODE and "comment" not in trace.marks and "zip-comment" not in trace.marks


@pytest.mark.slow  # a whole pandoc process per book
@pytest.mark.parametrize("name", ["pandoc", "sphinx", "ebooklib", "epub2"])
def test_a_copy_rebuilt_by_pandoc_still_names_its_order(
    stamped: Copy, name: str, tmp_path: Path
) -> None:
    """pandoc reading a copy and writing a new EPUB: a new package, new file names, no OPF
    meta or zip comment of ours; the chapters' comments and footers come through."""
    source, rebuilt = tmp_path / "copy.epub", tmp_path / "rebuilt.epub"
    source.write_bytes(stamped(name))
    subprocess.run(["pandoc", str(source), "-o", str(rebuilt)], check=True, timeout=120)
    trace = trace_epub(rebuilt.read_bytes())
    assert (trace.order_id, trace.code) == (ORDER, CODE), trace.marks
    assert "opf" not in trace.marks and "zip-comment" not in trace.marks  # really rebuilt


@pytest.mark.slow  # whole calibre processes
@pytest.mark.parametrize("route", ["epub", "azw3"], ids=["epub-to-epub", "via-kindle-azw3"])
def test_a_copy_converted_by_calibre_still_names_its_order(
    stamped: Copy, route: str, tmp_path: Path
) -> None:
    """ebook-convert to a new EPUB, or to Kindle's AZW3 and back: calibre renames the
    files, rewrites the package and drops our OPF meta; the chapters' marks survive."""
    source, target = tmp_path / "copy.epub", tmp_path / "converted.epub"
    source.write_bytes(stamped("pandoc"))
    if route == "azw3":
        calibre(source, tmp_path / "copy.azw3")
        calibre(tmp_path / "copy.azw3", target)
    else:
        calibre(source, target)
    trace = trace_epub(target.read_bytes())
    assert (trace.order_id, trace.code) == (ORDER, CODE), trace.marks
    assert "opf" not in trace.marks and "zip-comment" not in trace.marks  # really converted


SECRET = "epub-trace-secret"
ALICE = Stamp("Alice", "alice@example.com", "ord-ALICE", make_code(SECRET, "ord-ALICE"))
authentic = authentic_with(SECRET)  # what `trace` checks codes with


def framed(data: bytes, old: str, new: str, only: tuple[str, ...] = ()) -> bytes:
    """What a framer does: the order id rewritten in every entry (or those named), and the
    zip comment."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {
        n: d.replace(old.encode(), new.encode()) if not only or n.endswith(only) else d
        for n, d in entries(data).items()
    }
    comment = archive.comment if only else archive.comment.replace(old.encode(), new.encode())
    return rezipped(files, comment)


def test_an_epub_whose_order_id_was_rewritten_is_forged(library: Library) -> None:
    copy = stamp_epub(library["ebooklib"], ALICE)
    trace = trace_file(framed(copy, "ord-ALICE", "ord-BOB"), authentic)
    assert not trace.found_authentic
    [finding] = trace.findings
    assert (finding.order_id, finding.code, finding.verdict) == ("ord-BOB", ALICE.code, "FORGED")
    assert {"opf", "zip-comment", "comment", "attribute"} <= set(finding.marks)


def test_an_epub_rewritten_in_its_opf_only_still_names_the_buyer(library: Library) -> None:
    copy = stamp_epub(library["ebooklib"], ALICE)
    genuine, forged = trace_file(
        framed(copy, "ord-ALICE", "ord-BOB", (".opf",)), authentic
    ).findings
    assert (genuine.order_id, genuine.authentic) == ("ord-ALICE", True)
    assert (forged.order_id, forged.owner, forged.marks) == ("ord-BOB", "ord-ALICE", ("opf",))


def test_the_exlibris_text_names_the_code_without_its_class(stamped: Copy) -> None:
    """pandoc and calibre keep the page's words and drop our classes (and the other marks)."""
    files = STRIPS["comment"](STRIPS["opf"](STRIPS["footer"](entries(stamped("fixed-layout")))))
    files = {n: re.sub(rb' (?:class|data-exlibris)="[^"]*"', b"", d) for n, d in files.items()}
    trace = trace_epub(rezipped(files))
    assert (trace.code, trace.marks) == (CODE, ("exlibris-page",))


def test_look_alike_words_near_the_exlibris_title_are_no_code(library: Library) -> None:
    files = entries(library["ebooklib"])
    name = next(n for n in files if n.endswith(".xhtml"))
    files[name] = files[name].replace(
        b"</body>", b"<p>Ex libris</p><p>HAND-OVER-HAND, FORE-MAST-HEAD</p></body>", 1
    )
    assert b"HAND-OVER-HAND" in files[name]
    assert trace_file(rezipped(files), authentic).findings == ()


def test_a_package_document_not_named_opf_keeps_its_mark(stamped: Copy) -> None:
    files = entries(stamped("ebooklib"))
    [opf] = [n for n in files if n.endswith(".opf")]
    renamed = opf[: -len(".opf")] + ".package"
    files[renamed] = files.pop(opf)
    files["META-INF/container.xml"] = files["META-INF/container.xml"].replace(
        opf.encode(), renamed.encode()
    )
    trace = trace_epub(rezipped(files))
    assert "opf" in trace.marks and trace.order_id == ORDER


@pytest.mark.slow  # a whole pandoc process
def test_the_exlibris_page_rebuilt_by_pandoc_from_html_still_shows_the_code(
    stamped: Copy, tmp_path: Path
) -> None:
    """pandoc reading the page's XHTML as HTML: no comment, no classes, the words kept."""
    [page] = [n for n in entries(stamped("fixed-layout")) if "exlibris" in n and n.endswith("html")]
    source, rebuilt = tmp_path / "exlibris.xhtml", tmp_path / "rebuilt.epub"
    source.write_bytes(entries(stamped("fixed-layout"))[page])
    subprocess.run(
        ["pandoc", "-f", "html", str(source), "-o", str(rebuilt)], check=True, timeout=120
    )
    trace = trace_epub(rebuilt.read_bytes())
    assert (trace.code, trace.marks) == (CODE, ("exlibris-page",))


@pytest.mark.parametrize(
    ("attack", "removed"),
    [
        ("OPF marks stripped", "opf"),
        ("ex-libris page removed (spine, manifest, zip)", "exlibris-page"),
        ("HTML comments stripped", "comment"),
    ],
)
def test_the_bench_attacks_on_the_sample_epub_leave_the_buyer_named(
    attack: str, removed: str, tmp_path: Path
) -> None:
    """bench/attacks_epub.py's hand edits (no tool process) on the demo's book, stamped and
    traced through the engines' registry as the bench does."""
    source, target = tmp_path / "copy.epub", tmp_path / "attacked.epub"
    source.write_bytes(stamp_file(make_sample_epub(2, paragraphs=2), ALICE))
    attacks_epub.ATTACKS[attack](source, target)
    [finding] = trace_file(target.read_bytes(), authentic).findings
    assert (finding.order_id, finding.code, finding.authentic) == ("ord-ALICE", ALICE.code, True)
    assert removed not in finding.marks  # the attack really removed it
