"""The buyer pages in a real browser, against the real stack, with JavaScript off.

/links: fill the form, read the confirmation, and see the re-sent mail reach
the buyer's address and nobody else. /verify: take the stamp code printed in a
real stamped copy (page 2 of the PDF the mailed link downloads), check it, then
check a forged one. Screenshots of each step go where `screenshots` says.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.browser.conftest import Tab
from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import page_text, post_classic, wait_for_mails
from tests.support.download_page import download
from tests.support.paddle_payloads import classic_fulfilment
from worker.mail._outbox import download_links, plain_text, read_mail

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
BUYER, NAME, ORDER = "ada@example.com", "Ada Lovelace", "9101-1"
STYLESHEET = "/static/site.css"


def buy(live: LiveStack) -> Path:
    """A real Classic purchase; returns the mail it produced."""
    fields = classic_fulfilment(order_id=ORDER, email=BUYER, customer_name=NAME)
    assert post_classic(live, fields).status_code == 200
    [mail] = wait_for_mails(live, 1)
    return mail


def stamped_code(mail: Path) -> str:
    """The stamp code printed on page 2 of the PDF copy the first mailed link downloads."""
    link, _epub = download_links(read_mail(mail))
    copy = download(link)
    assert copy.status_code == 200
    [code] = set(CODE.findall(page_text(copy.content, 1)))
    return code


def forge(code: str) -> str:
    """The same code with its last character changed: what a copier's edit looks like."""
    return code[:-1] + ("7" if code[-1] != "7" else "8")


def assert_clean_load(tab: Tab) -> None:
    """The stylesheet loaded and the CSP blocked nothing: the pages need nothing else."""
    assert tab.failed_assets == []
    assert not [e for e in tab.console_errors if "Content Security Policy" in e], tab.console_errors


def shoot(tab: Tab, folder: Path, name: str) -> None:
    path = folder / name
    tab.page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")


def test_a_buyer_asks_for_new_links_and_the_mail_reaches_only_them(
    live: LiveStack, tab: Tab, screenshots: Path
) -> None:
    buy(live)
    page = tab.page
    with page.expect_response(lambda r: r.url.endswith(STYLESHEET)) as css:
        page.goto(f"{live.url}/links")
    assert css.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Get new download links"
    shoot(tab, screenshots, "links.png")

    page.get_by_label("Email address used at checkout").fill(BUYER)
    page.get_by_role("button", name="Send me new links").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    status = page.get_by_role("status").inner_text()
    assert "If we have orders for this address, fresh links are on their way." in status
    shoot(tab, screenshots, "links-sent.png")
    assert_clean_load(tab)

    mails = wait_for_mails(live, 2)
    resent = read_mail(mails[-1])
    assert [a.addr_spec for a in resent["To"].addresses] == [BUYER]
    assert "fresh download links" in plain_text(resent)

    page.goto(f"{live.url}/links")
    page.get_by_label("Email address used at checkout").fill("stranger@example.com")
    page.get_by_role("button", name="Send me new links").click()
    assert "fresh links are on their way" in page.get_by_role("status").inner_text()
    time.sleep(1.0)  # give a wrongly addressed mail the chance to show up
    live.settle()
    assert len(live.mails()) == 2


def test_a_bad_address_comes_back_with_the_reason(live: LiveStack, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{live.url}/links")
    field = page.get_by_label("Email address used at checkout")
    # type=email lets "ada@localhost" through, so the server's validator answers.
    field.fill("ada@localhost")
    page.get_by_role("button", name="Send me new links").click()
    assert "should have a period" in page.get_by_role("alert").inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "ada@localhost"


def test_a_real_stamp_code_checks_out_and_a_forged_one_does_not(
    live: LiveStack, tab: Tab, screenshots: Path
) -> None:
    mail = buy(live)
    code = stamped_code(mail)
    assert code in plain_text(read_mail(mail))
    page = tab.page

    page.goto(f"{live.url}/verify")
    page.get_by_label("Stamp code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Check").click()
    verdict = page.get_by_role("status").inner_text()
    assert verdict.startswith("Authentic.") and "is valid" in verdict
    facts = page.locator("dl.facts").inner_text()
    for shown in (code, ORDER, "A*** L***", "a***@e***.com", "Valid"):
        assert shown in facts
    assert NAME not in page.content() and BUYER not in page.content()
    shoot(tab, screenshots, "verify-ok.png")

    page.get_by_label("Stamp code").fill(forge(code))
    page.get_by_role("button", name="Check").click()
    alert = page.get_by_role("alert").inner_text()
    assert alert.startswith("Not authentic.") and "not issued by this shop" in alert
    assert ORDER not in page.content()
    shoot(tab, screenshots, "verify-forged.png")
    assert_clean_load(tab)
