"""page_runs: the text a page shows, from fonts as producers really write them."""

from __future__ import annotations

import pikepdf

from stamping.pdf.trace._page_text import page_runs

CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0010> <002D> endbfchar
2 beginbfrange <0020> <0029> <0030> <0030> <0032> [<0041> <0042> <0043>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def page_with(
    content: bytes, fonts: dict[str, pikepdf.Dictionary], pdf: pikepdf.Pdf
) -> pikepdf.Page:
    page = pdf.add_blank_page(page_size=(300, 300))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(fonts))
    page.obj.Contents = pdf.make_stream(content)
    return page


def texts(page: pikepdf.Page) -> list[tuple[str, bool]]:
    return [(run.text, run.invisible) for run in page_runs(page)]


def test_a_composite_font_reads_through_its_tounicode_map() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            Encoding=pikepdf.Name("/Identity-H"),
            ToUnicode=pdf.make_stream(CMAP),
        )
        shown = b"<0027002000200028> Tj <0010> Tj <00300031003200030029> Tj"
        page = page_with(b"BT /C0 9 Tf " + shown + b" ET", {"/C0": font}, pdf)
        assert texts(page) == [("7008-ABC 9", False)]


def test_a_composite_font_without_a_map_reads_as_nothing() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0)
        page = page_with(b"BT /C0 9 Tf <00410042> Tj ET", {"/C0": font}, pdf)
        assert texts(page) == []


def test_differences_are_read_by_glyph_name() -> None:
    with pikepdf.new() as pdf:
        encoding = pikepdf.Dictionary(
            Differences=pikepdf.Array([1, pikepdf.Name.K, pikepdf.Name.nine, pikepdf.Name.hyphen])
        )
        font = pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, Encoding=encoding
        )
        page = page_with(
            b"BT /F1 9 Tf [(\\001) -20 (\\002\\003)] TJ (AB) Tj ET", {"/F1": font}, pdf
        )
        assert texts(page) == [("K9-AB", False)]


def test_render_mode_three_is_invisible_and_q_restores_it() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        content = b"q BT 3 Tr /F1 9 Tf (hidden) Tj ET Q BT /F1 9 Tf (shown) Tj ET"
        page = page_with(content, {"/F1": font}, pdf)
        assert texts(page) == [("hidden", True), ("shown", False)]


def test_a_wide_tj_gap_and_a_new_line_read_as_spaces() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        content = b"BT /F1 9 Tf [(one) -600 (two)] TJ 0 -10 Td (three) Tj T* (four) ' ET"
        assert texts(page_with(content, {"/F1": font}, pdf)) == [("one two three four", False)]


def test_forms_are_followed_and_loops_end() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        form = pdf.make_stream(
            b"BT /F1 9 Tf (in a form) Tj ET /Me Do",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
        )
        form.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Me=form)
        )
        page = page_with(b"/Fm Do", {}, pdf)
        page.obj.Resources.XObject = pikepdf.Dictionary(Fm=form)
        runs = texts(page)
        assert runs[0] == ("in a form", False) and 1 < len(runs) < 12


def test_broken_content_and_names_that_are_not_utf8_read_as_far_as_they_go() -> None:
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1)
        page = page_with(b"BT /#CB#CE 9 Tf (GBK name) Tj ET BT /Nope Tf (x) Tj", {}, pdf)
        page.obj.Resources.Font[pikepdf.Name(b"/\xcb\xce".decode("latin-1"))] = font
        assert texts(page)[0][0] == "GBK name"
        broken = page_with(b"BT (unterminated", {"/F1": font}, pdf)
        assert texts(broken) == []
