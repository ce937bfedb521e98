"""`check` warns about scripts and Launch actions, which every copy keeps (the stamp does not
strip a book's content): a reader of the copies whose viewer runs them would run them."""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from stamping.limits import spending
from stamping.pdf.preflight._actions import action_warnings
from stamping.pdf.preflight._preflight import check_pdf, format_report
from tests.support import pdfs


def edited(change: Callable[[pikepdf.Pdf], None]) -> bytes:
    """The sample book, with `change` made to it by pikepdf, saved."""
    with pikepdf.open(io.BytesIO(pdfs.book(3))) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def open_action_js(pdf: pikepdf.Pdf) -> None:
    js = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String("app.alert('hi')"))
    pdf.Root.OpenAction = pdf.make_indirect(js)


def name_tree_js(pdf: pikepdf.Pdf) -> None:
    js = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert('hi')")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("hello"), js])))


def page_aa_js(pdf: pikepdf.Pdf) -> None:
    # a direct action dictionary nested in an indirect page: no object of its own
    pdf.pages[1].obj.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("1")))


def launch_link(pdf: pikepdf.Pdf) -> None:
    launch = Dictionary(S=Name.Launch, F=String("calc.exe"))
    link = Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 50, 50]), Border=Array([0, 0, 0]),
        A=launch,
    )  # fmt: skip
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (open_action_js, "JavaScript"),
        (name_tree_js, "JavaScript"),
        (page_aa_js, "JavaScript"),
        (launch_link, "Launch"),
    ],
    ids=["open-action", "name-tree", "page-aa", "launch-link"],
)
def test_scripts_and_launch_actions_are_warned_about(
    change: Callable[[pikepdf.Pdf], None], words: str
) -> None:
    report = check_pdf(edited(change))
    assert report.clean  # it stamps; the author decides
    assert any(words in w and "every copy keeps" in w for w in report.warnings), report.warnings
    assert "warning:" in format_report(report)
    assert report.preview is not None
    with pikepdf.open(io.BytesIO(report.preview)) as copy, spending():
        assert action_warnings(copy) == [w for w in report.warnings if words in w]  # kept


def test_a_book_without_actions_gets_no_such_warning() -> None:
    report = check_pdf(pdfs.book(3))
    assert not any("JavaScript" in w or "Launch" in w for w in report.warnings)
