"""Render the README's picture of the dashboard's overview, for a shop with ten weeks of history.

    .venv/bin/python tools/render_overview.py   # docs/screenshots/dashboard-overview.png

Builds an embedded shop in a temporary folder (the sample catalog plus a second,
smaller book, the tests' originals) and runs ten weeks of made-up sales through
the real service and worker in one process: signed Paddle Billing webhooks to
the service, whose publisher pushes each message into the worker, which stamps
and mails the copies (tests/support/inprocess.py's PushToWorker). A few buyers
download their copy through the download page's POST, two orders are refunded.
Only the clock moves (both apps take it: the records' created_at and mailed_at,
and so the stats markers' days, follow it); the overview then reads what they
wrote through its real indexes and roll-ups. Sales come from a seeded random
generator, a launch spike and busier weekends, so the picture is the same on
every run. The dashboard (DASHBOARD_AUTH=local) is served on loopback with the
same "today" and shot with Debian's Chromium, desktop-sized, JavaScript off,
as tests/browser does.
"""

from __future__ import annotations

import logging
import math
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # tests.support: the in-process stand-ins the test tiers use
    sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from common.settings import Settings  # noqa: E402
from common.stats import week_of  # noqa: E402
from dashboard.app import create_app as create_dashboard  # noqa: E402
from demo.sample_book import make_sample_book  # noqa: E402
from demo.sample_epub import make_sample_epub  # noqa: E402
from service.app import create_app as create_service  # noqa: E402
from tests.support.download_page import forms_of  # noqa: E402
from tests.support.fixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.inprocess import PushToWorker  # noqa: E402
from tests.support.paddle_payloads import (  # noqa: E402
    billing_adjustment,
    billing_request,
    billing_transaction_completed,
)
from worker.app import create_app as create_worker  # noqa: E402
from worker.mail._outbox import download_links, read_mail  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "dashboard-overview.png"
TODAY = date(2026, 12, 7)  # a Monday, fixed so the picture changes only when the page does
WEEKS, SEED = 10, 20261207
DESKTOP = {"width": 1100, "height": 800}
SECRET = "pdl_ntfset_render-overview"  # noqa: S105 - a made-up shop's, for a picture
FIRST, SECOND = "practical-python", "testing-field-guide"
# The second book: a short PDF only, sold from the fifth week on (a new title's own launch).
SECOND_PRODUCT = f"""
[products.{SECOND}]
paddle_ids = ["pro_01demotestingfieldguide00", "pri_01demotestingfieldguide00"]
title = "Testing Field Guide"
files = [{{ source = "testing-field-guide.pdf", stamp = true, skip_pages = 1 }}]
"""
PRICES = {
    FIRST: ("pri_01demopracticalpython00000", "pro_01demopracticalpython00000"),
    SECOND: ("pri_01demotestingfieldguide00", "pro_01demotestingfieldguide00"),
}
DOWNLOADS, REFUNDS = 12, 2


class Clock:
    """The one thing moved: both apps read the time from here."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # "sale", "download" or "refund"
    order_id: str
    product: str = ""


@dataclass
class History:
    """What the generator did, to check the overview against."""

    today: date
    sold: Counter[tuple[date, str]] = field(default_factory=Counter)  # (week, product)
    downloads: Counter[date] = field(default_factory=Counter)  # per week
    refunded: list[str] = field(default_factory=list)
    settings: Settings | None = None


def plan(today: date, weeks: int, seed: int) -> list[Event]:
    """Sales per day from a seeded generator: a launch spike, busier weekends; then extras."""
    rng = random.Random(seed)  # noqa: S311 - made-up sales, reproducible on purpose
    launch = today - timedelta(weeks=weeks)
    events: list[Event] = []
    for offset in range((today - launch).days + 1):  # today too, until noon
        day = launch + timedelta(days=offset)
        weekend = 1.8 if day.weekday() >= 5 else 1.0
        rates = {FIRST: (2.6 + 11 * math.exp(-offset / 3)) * weekend}
        second = offset - (weeks // 2) * 7
        if second >= 0:
            rates[SECOND] = (1.0 + 4 * math.exp(-second / 4)) * weekend
        for product, rate in rates.items():
            for _ in range(_poisson(rng, rate)):
                at = datetime.combine(day, datetime.min.time(), UTC)
                at += timedelta(seconds=rng.randrange(8 * 3600, 23 * 3600))
                order_id = f"txn_{rng.getrandbits(100):026x}"[:30]
                events.append(Event(at, "sale", order_id, product))
    sales = sorted(events, key=lambda e: e.at)
    for sale in rng.sample(sales, min(DOWNLOADS, len(sales))):
        later = sale.at + timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
        events.append(Event(later, "download", sale.order_id, sale.product))
    for sale in rng.sample(sales[: len(sales) // 2], min(REFUNDS, len(sales) // 2)):
        later = sale.at + timedelta(days=rng.randrange(1, 10))
        events.append(Event(later, "refund", sale.order_id, sale.product))
    return sorted((e for e in events if e.at < noon(today)), key=lambda e: e.at)


def noon(today: date) -> datetime:
    """When the author looks: the overview's "today", the last moment anything happened."""
    return datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the handful a day drawn here."""
    limit, k, p = math.exp(-rate), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def shop_settings(folder: Path) -> Settings:
    """An embedded shop in folder: the sample catalog and a second book, the originals in place."""
    folder.mkdir(parents=True, exist_ok=True)
    catalog = folder / "catalog.toml"
    catalog.write_text((ROOT / "sample" / "catalog.toml").read_text() + SECOND_PRODUCT)
    settings = Settings.from_env(
        {
            "LOCAL_DATA_DIR": str(folder / "var"),
            "CATALOG": str(catalog),
            "PADDLE_WEBHOOK_SECRET": SECRET,
            "STAMP_SECRET": "render-overview-secret",
            "PUBLIC_URL": "http://127.0.0.1:8080",
            "SHOP_NAME": "Practical Books",
            "DASHBOARD_AUTH": "local",
            "LOG_LEVEL": "WARNING",  # a line per sale would bury what the tool says
        }
    )
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(make_sample_book(pages=48))
    (originals / "practical-python.epub").write_bytes(make_sample_epub())
    short = make_sample_book(pages=12, title="Testing Field Guide")
    (originals / "testing-field-guide.pdf").write_bytes(short)
    return settings


def run_history(
    folder: Path, *, weeks: int = WEEKS, today: date = TODAY, seed: int = SEED
) -> History:
    """Every planned sale, download and refund through the real service and worker."""
    settings = shop_settings(folder)
    clock = Clock(0.0)
    worker = create_worker(settings, clock=clock).test_client()
    publisher = PushToWorker(worker)
    service = create_service(settings, publisher=publisher, clock=clock).test_client()
    outbox = settings.local_data_dir / "outbox"
    links: dict[str, str] = {}
    history = History(today, settings=settings)
    for event in plan(today, weeks, seed):
        clock.now = event.at.timestamp()
        if event.kind == "sale":
            before = set(outbox.glob("*.eml"))
            price, product = PRICES[event.product]
            payload = billing_transaction_completed(
                event.order_id, f"ctm_{event.order_id[4:]}", (price,), (product,),
                event_id=f"evt_{event.order_id[4:]}", occurred_at=_iso(event.at),
            )  # fmt: skip
            _post(service, payload, clock, publisher)
            mail = sorted(set(outbox.glob("*.eml")) - before)
            links[event.order_id] = download_links(read_mail(mail[-1]))[0]
            history.sold[(week_of(event.at.date()), event.product)] += 1
        elif event.kind == "download":
            _download(service, links[event.order_id])
            history.downloads[week_of(event.at.date())] += 1
        else:
            payload = billing_adjustment(
                event.order_id, event_id=f"evt_r{event.order_id[4:]}", occurred_at=_iso(event.at)
            )
            _post(service, payload, clock, publisher)
            history.refunded.append(event.order_id)
    return history


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _post(service: Any, payload: dict[str, Any], clock: Clock, publisher: PushToWorker) -> None:
    body, headers = billing_request(payload, SECRET, int(clock()))
    status = service.post("/webhooks/paddle", data=body, headers=headers).status_code
    if status != 200 or publisher.statuses[-1:] not in ([200], [204]):
        raise RuntimeError(f"{payload['event_type']}: the service answered {status}, "
                           f"the worker {publisher.statuses[-1:]}")  # fmt: skip


def _download(service: Any, link: str) -> None:
    """What the Download button does: the page's form for the first file, posted back."""
    path = link.split("127.0.0.1:8080", 1)[1]
    form = forms_of(service.get(path).get_data(as_text=True))[0]
    answer = service.post(form.action, data=form.fields)
    if answer.status_code != 303:
        raise RuntimeError(f"a download answered {answer.status_code}")


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a loopback port in a thread: the browser needs a real socket."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request: noise here
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def dashboard_app(history: History) -> Any:
    assert history.settings is not None
    looking = noon(history.today).timestamp()
    return create_dashboard(history.settings, clock=lambda: looking)


def shoot(browser: Any, history: History, out: Path, see: Callable[[Any], None] = print) -> None:
    """The overview's first screen, desktop-sized and JavaScript off, into out."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        with serving(dashboard_app(history)) as url:
            page.goto(url)
            see(page)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
    finally:
        context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        history = run_history(Path(folder))
        ran = time.monotonic() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                shoot(browser, history, OUT, see=lambda page: None)
            finally:
                browser.close()
    per_product = Counter(product for _, product in history.sold.elements())
    sold = ", ".join(f"{n} of {p}" for p, n in sorted(per_product.items()))
    print(
        f"{sum(history.sold.values())} sales over {WEEKS} weeks ({sold}), "
        f"{sum(history.downloads.values())} downloads, {len(history.refunded)} refunds "
        f"in {ran:.0f} s; wrote {OUT.relative_to(ROOT)} as the overview on {TODAY}"
    )


if __name__ == "__main__":
    main()
