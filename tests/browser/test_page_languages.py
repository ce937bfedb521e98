"""Every buyer page in every language, in Chromium with JavaScript off, at a 390 px phone.

One real Paddle sale (with its checkout reference) goes through the stack under gunicorn.
Then a browser set to each language (Accept-Language, as `locale` makes Chromium send it)
opens every page a buyer can meet: the download page of the PDF and of the EPUB (with its
Send to Kindle form), the page of a copy being prepared again, each link problem (not
ours 403, expired 410, storage or Pub/Sub busy 503), /links and its answer, /thanks while
the copy is made and once it is ready, /verify's form and its authentic and forged answers.

Each must say its language in <html lang> (dir="rtl" for Arabic only), scroll no wider
than the phone, and show no sentence of the English page: a string the catalog lacks
shows in English, so any English sentence left is a missing translation. The download
page in German and Arabic is kept as docs/screenshots/download-de.png and -ar.png:
`SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser/test_page_languages.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from common.codes import LinkClaim, make_token, read_token
from common.i18n import LANGUAGES
from common.orders import OrderRecord
from demo.sales import SALES
from tests.browser.test_buyer_pages import forge, stamped_code
from tests.conftest import STAMP_SECRET, WEBHOOK_SECRET
from tests.e2e.conftest import LiveStack
from tests.e2e.test_purchase import wait_for_mails
from worker.mail._outbox import download_links, read_mail

PHONE = {"width": 390, "height": 844}
BOOK = "Practical Python Projects"
# A sentence: four words or more. Shorter lines are names (the book, a file, the shop).
SENTENCE = re.compile(r"(?:[^\W\d_]{2,}\W+){3,}[^\W\d_]{2,}")


def sentences(text: str) -> set[str]:
    """The lines of a page's visible text that hold a sentence, the book's title set aside."""
    lines = (" ".join(line.split()) for line in text.replace(BOOK, "").splitlines())
    return {line for line in lines if SENTENCE.search(line)}


class Shop:
    """The pages of one sale, and the steps that reach the ones a URL alone does not."""

    def __init__(self, live: LiveStack) -> None:
        self.live = live
        sale = SALES["paddle"](WEBHOOK_SECRET)
        headers = {"Content-Type": "application/json", **sale.headers}
        posted = requests.post(
            f"{live.url}/webhooks/paddle", data=sale.body, headers=headers, timeout=10
        )
        assert posted.status_code == 200
        [mail] = wait_for_mails(live, 1)
        self.pdf, self.epub = download_links(read_mail(mail))
        self.code = stamped_code(mail)  # counts one download of the PDF: 4 of 5 left
        self.ref = sale.ref
        claim = read_token(STAMP_SECRET, self.epub.rsplit("/d/", 1)[1])
        expired = LinkClaim(claim.order_id, claim.file_index, expires=1_000_000_000)
        self.expired = f"{live.url}/d/{make_token(STAMP_SECRET, expired)}"
        self._remove_copy(claim.order_id, claim.file_index)

    def _remove_copy(self, order_id: str, index: int) -> None:
        """What the bucket's lifecycle rule does to an old copy: the EPUB's page then says
        it is being prepared (nothing asks the worker for it but a press of Download)."""
        [path] = (self.live.data_dir / "storage").glob(f"*/orders/{order_id}.json")
        record = OrderRecord.from_json(path.read_bytes())
        (path.parents[1] / record.files[index].object_name).unlink()

    def pages(self, language: str) -> dict[str, Callable[[Any], None]]:
        """Each page by name, with how a browser tab gets to it."""
        url = self.live.url

        def visit(address: str) -> Callable[[Any], None]:
            return lambda page: page.goto(address)

        def links_sent(page: Any) -> None:
            page.goto(f"{url}/links")
            page.locator("#email").fill(f"nobody-{language}@example.com")  # 3 an hour each
            page.locator("form[action='/links'] button").click()

        def busy(page: Any) -> None:  # Download pressed while the spool takes nothing
            page.goto(self.epub)
            action = self.epub.removeprefix(url)
            with Unpublishable(self.live.data_dir):
                page.locator(f"form[action='{action}'] button").click()

        return {
            "download-pdf": visit(self.pdf),
            "download-epub": visit(self.epub),
            "preparing": visit(f"{self.epub}?preparing=1"),
            "link-invalid": visit(f"{url}/d/not-a-token"),
            "link-expired": visit(self.expired),
            "link-busy": busy,
            "links": visit(f"{url}/links"),
            "links-sent": links_sent,
            "thanks-preparing": visit(f"{url}/thanks?ref=unknown-reference-0001"),
            "thanks-ready": visit(f"{url}/thanks?ref={self.ref}"),
            "verify": visit(f"{url}/verify"),
            "verify-authentic": visit(f"{url}/verify?code={self.code}"),
            "verify-forged": visit(f"{url}/verify?code={forge(self.code)}"),
        }


# The status each page answers with: a page that answers another is not the page meant.
STATUS = {"link-invalid": 403, "link-expired": 410, "link-busy": 503}


class Unpublishable:
    """The local publisher's spool made unwritable (a file where its folder was), then back:
    publishing fails as when Pub/Sub does not answer, and the page says 503."""

    def __init__(self, data_dir: Path) -> None:
        self.spool = data_dir / "spool"
        self.away = data_dir / "spool.away"

    def __enter__(self) -> None:
        self.spool.rename(self.away)
        self.spool.write_text("not a folder")

    def __exit__(self, *_: object) -> None:
        self.spool.unlink()
        self.away.rename(self.spool)


def check(page: Any, language: str, english: set[str] | None) -> list[str]:
    """What is wrong with the page on screen in `language`; its English sentences if en."""
    problems = []
    lang, direction = (
        page.locator("html").get_attribute("lang"),
        page.locator("html").get_attribute("dir"),
    )
    if (lang, direction) != (language, "rtl" if language == "ar" else "ltr"):
        problems.append(f"<html lang={lang} dir={direction}>")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{width} px wide")
    if "Project-Id-Version" in page.inner_text("body"):
        problems.append("the catalog's header shown as text (gettext of an empty string)")
    if english is not None:
        left = sentences(page.inner_text("body")) & english
        problems += [f"English: {line!r}" for line in sorted(left)]
    return problems


def test_every_buyer_page_in_every_language(
    live: LiveStack, chromium: Any, screenshots: Path
) -> None:
    shop = Shop(live)
    english: dict[str, set[str]] = {}
    problems: list[str] = []
    answers: list[tuple[str, int, str]] = []  # what the tab received for the page on screen
    for language in LANGUAGES:  # en first: the others are compared with it
        context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale=language)
        page = context.new_page()
        page.on("response", lambda r: answers.append((r.request.resource_type, r.status, r.url)))
        try:
            for name, reach in shop.pages(language).items():
                answers.clear()
                reach(page)
                documents = [status for kind, status, _ in answers if kind == "document"]
                assets = [
                    f"{status} {url}"
                    for kind, status, url in answers
                    if kind != "document" and status >= 400
                ]
                if documents[-1:] != [STATUS.get(name, 200)] or assets:
                    problems.append(f"{language} {name}: answered {documents}, assets {assets}")
                if language == "en":
                    english[name] = sentences(page.inner_text("body"))
                found = check(page, language, english.get(name) if language != "en" else None)
                problems += [f"{language} {name}: {problem}" for problem in found]
                if name == "download-epub" and language in ("de", "ar"):
                    shot = screenshots / f"download-{language}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    assert shot.read_bytes().startswith(b"\x89PNG")
        finally:
            context.close()
    assert all(english.values()), english  # every English page holds sentences to compare
    assert problems == [], "\n".join(problems)
