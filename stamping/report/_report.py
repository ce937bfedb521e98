"""The evidence report: a Case in, PDF bytes out, nothing read or written on the way.

Pure (no file, no store, no clock): the console and the dashboard gather the
Case and decide where the bytes go. Text from the leaked file goes through
trace's `shown` (quoted when it is not an order id's shape, escapes for what a
viewer would act on, cut to MAX_SHOWN characters) before it is laid out, as
it does before it is printed; lists the file controls the length of (findings,
places, entries) are cut too, so a crafted file cannot make the report long.
"""

from __future__ import annotations

from stamping.evidence import REWRITTEN
from stamping.ocr import sample
from stamping.report._facts import Case, OrderFacts
from stamping.report._layout import PICTURE_HEIGHT, Layout, Picture
from stamping.report._words import (
    FORGED,
    NOT_ADVICE,
    NOTICE_INTRO,
    PROVES,
    PROVES_NOT,
    SEARCHED,
    VISIBLE,
    notice,
)
from stamping.trace import Finding, Place, page_ranges, printable, shown

MAX_FINDINGS = 12
MAX_DOCUMENTS = 3
MAX_THUMBNAILS = 3
_MAX_PAGES_SHOWN = 200  # characters of a page list ("2-30, 45, …")


def render_report(case: Case) -> bytes:
    """The report as a PDF: facts, findings, pictures, what they prove, a notice draft."""
    page = Layout()
    page.text("Evidence report: a copy of a book, traced by exlibris", size=17, bold=True)
    page.space(4)
    page.text(NOT_ADVICE, size=9)
    page.space(6)
    _file(page, case)
    _findings(page, case)
    _pictures(page, case)
    _searched(page, case)
    _meaning(page, case)
    _notice(page, case)
    running = f"exlibris evidence report   SHA-256 {case.sha256}"
    return page.finish("exlibris evidence report", running, case.made_at)


def stamped_pages(case: Case) -> tuple[int, ...]:
    """The pages carrying the visible stamp of an order the file names (authentic or not)."""
    pages = {
        number
        for finding in case.trace.findings
        for place in finding.places
        if place.mark in VISIBLE
        for number in place.pages
    }
    return tuple(sorted(pages))


def pages_to_show(case: Case) -> list[int]:
    """The stamped pages the report shows, spread over the book."""
    return sample(list(stamped_pages(case)), MAX_THUMBNAILS)


def _file(page: Layout, case: Case) -> None:
    page.heading("The file")
    page.field("File name", shown(case.file_name))
    page.field("SHA-256", case.sha256)
    page.field("Size", f"{case.size:,} bytes")
    kind = case.format.upper()
    page.field("Format", f"{kind}, {case.trace.pages} pages" if case.trace.pages else kind)
    page.field("Report made", case.made_at.strftime("%Y-%m-%d %H:%M:%S UTC"))
    page.field("Verdict", _verdict(case))
    store = "consulted" if not case.store_unread else f"not consulted: {case.store_unread}"
    page.field("Order store", printable(store))


def _verdict(case: Case) -> str:
    findings = case.trace.findings
    real = [f for f in findings if f.authentic]
    named = [f.order_id or f.owner for f in real]
    if any(named):
        orders = ", ".join(shown(o) for o in named[:3] if o)
        return f"names order {orders}, with a code this shop made for it"
    if real:
        return "carries a code this shop made; the shop's code index names its order"
    forged = [f for f in findings if f.authentic is False]
    owners = [f.owner for f in forged if f.owner]
    if owners:
        return f"carries FORGED marks; their code belongs to order {shown(owners[0])}"
    if forged:
        return "carries FORGED marks only: no order can be named from them"
    if findings:
        return "names an order, but no code was checked"
    return "names no order: no exlibris mark was found"


def _findings(page: Layout, case: Case) -> None:
    page.heading("The order the file names")
    findings = case.trace.findings
    if not findings:
        page.text(
            "No order is named. The file carries none of the marks exlibris stamps into a "
            "copy (listed below), so this report records only the file's identity and what "
            "was searched."
        )
        return
    for finding in findings[:MAX_FINDINGS]:
        _finding(page, case, finding)
    if len(findings) > MAX_FINDINGS:
        page.text(f"… and {len(findings) - MAX_FINDINGS} more findings, not listed.")


def _finding(page: Layout, case: Case, finding: Finding) -> None:
    page.space(4)
    named = shown(finding.order_id) if finding.order_id is not None else "(none in the file)"
    page.field("Order named", named)
    page.field("Code", shown(finding.code or "(none)"))
    verdict = {
        True: "AUTHENTIC: this shop made the code"
        + (", for this order" if finding.order_id else "; its code index names the order"),
        False: f"FORGED: {finding.reason or 'the code fails the check'}",
        None: "NOT CHECKED: no code to check",
    }[finding.authentic]
    page.field("Verdict", verdict)
    if finding.owner is not None:
        page.field("Code belongs to", f"order {shown(finding.owner)} (the shop's code index)")
    elif finding.authentic is False and finding.code and finding.reason == REWRITTEN:
        page.field(
            "Code belongs to", "another order; the shop's code index, not read here, names it"
        )
    real = finding.owner if finding.authentic is not True else finding.order_id or finding.owner
    if real is not None:
        _order(page, case, real)
    page.text("Marks found, and where:", bold=True, size=9)
    for place in finding.places:
        page.field(place.mark, _where(place, case.format), column=120)


def _order(page: Layout, case: Case, order_id: str) -> None:
    if case.store_unread:
        page.field("Ordered", "not known: the shop's order store was not consulted")
        return
    facts: OrderFacts | None = case.orders.get(order_id)
    if facts is None:
        page.field("Ordered", f"the store holds no record of order {shown(order_id)}")
        return
    page.field("Ordered", f"{facts.ordered_at[:10]} (order {shown(order_id)})")
    page.field("Merchant", printable(facts.merchant, 80))
    page.field("Book", printable(facts.title, 200))
    page.field("Order status", printable(facts.status, 40))


def _where(place: Place, kind: str) -> str:
    words = dict(SEARCHED.get(kind, ())).get(place.mark, "")
    if place.pages:
        where = f"page {place.pages[0]}" if len(place.pages) == 1 else "pages "
        if len(place.pages) > 1:
            where += printable(page_ranges(place.pages), _MAX_PAGES_SHOWN)
    elif place.documents:
        docs = [shown(d, 100) for d in place.documents[:MAX_DOCUMENTS]]
        more = len(place.documents) - MAX_DOCUMENTS
        where = "first read in " + ", ".join(docs) + (f" and {more} more" if more > 0 else "")
    else:
        where = "the file as a whole"
    return f"{where}: {words}" if words else where


def _searched(page: Layout, case: Case) -> None:
    page.heading("What was searched")
    kind = case.format.upper()
    pages = f" ({case.trace.pages} pages read)" if case.trace.pages else ""
    page.text(f"Every {kind} mark exlibris stamps into a copy{pages}:")
    for mark, words in SEARCHED.get(case.format, ()):
        page.field(mark, words, column=90)
    for note in case.notes[:8]:
        page.text(f"Note: {printable(note)}", size=9)


def _pictures(page: Layout, case: Case) -> None:
    keep = 60 + PICTURE_HEIGHT + 20 if case.thumbnails else 60  # the first picture with it
    page.heading("Pages carrying the visible stamp", keep=keep)
    if case.format != "pdf":
        page.text(
            f"An {case.format.upper()} has no fixed pages: its reading system lays the text "
            "out. Its visible stamp (the ex-libris page, the footer lines) is text in the "
            "documents named above."
        )
        return
    stamped = stamped_pages(case)
    if not stamped:
        page.text("No page of this file carries the visible stamp.")
        return
    listed = printable(page_ranges(stamped), _MAX_PAGES_SHOWN)
    shown_count = min(len(case.thumbnails), MAX_THUMBNAILS)
    follow = f" Pictures of {shown_count} of them follow." if shown_count else ""
    page.text(f"Pages {listed} carry it.{follow}")
    if case.thumbnails_note:
        page.text(printable(case.thumbnails_note), size=9)
    page.space(6)
    for thumbnail in case.thumbnails[:MAX_THUMBNAILS]:
        picture = Picture.of(thumbnail.png)
        page.pictures(picture, thumbnail.band, f"page {thumbnail.page}, and its foot enlarged")


def _meaning(page: Layout, case: Case) -> None:
    page.heading("What the marks prove")
    if not case.trace.findings:
        page.text(
            "No mark was found, so this report shows only which file was examined (its "
            "SHA-256, which anyone holding the file can compute again) and that none of the "
            "marks listed above was in it."
        )
        page.heading("What they do not prove")
        page.text(f"- {PROVES_NOT[-1]}")
        return
    for line in PROVES:
        page.text(f"- {line}", indent=0)
    if any(f.authentic is False for f in case.trace.findings):
        page.text(f"- {FORGED}")
    page.heading("What they do not prove")
    for line in PROVES_NOT:
        page.text(f"- {line}")


def _notice(page: Layout, case: Case) -> None:
    page.new_page()
    page.text("Draft takedown notice (17 U.S.C. § 512(c)(3))", size=15, bold=True)
    page.space(4)
    page.text(NOTICE_INTRO, size=9)
    page.space(8)
    page.text("To: the designated copyright agent of [service provider]")
    page.text("Re: notification of claimed infringement")
    page.space(6)
    for element, text in notice(_title(case), _file_line(case)):
        page.text(element, bold=True)
        page.text(text, indent=12)
        page.space(4)


def _title(case: Case) -> str:
    real = [f for f in case.trace.findings if f.authentic and f.order_id]
    facts = case.orders.get(real[0].order_id or "") if real else None
    return printable(facts.title, 200) if facts else "[title of the book]"


def _file_line(case: Case) -> str:
    line = f"A copy of the work in the file with SHA-256 {case.sha256} ({case.size:,} bytes)."
    real = [f for f in case.trace.findings if f.authentic and f.order_id]
    if real:
        line += (
            " The attached evidence report shows it is the copy the rights holder's shop "
            f"issued to one buyer, for order {shown(real[0].order_id or '')}; it is shared "
            "here without permission."
        )
    return line
