"""What the buyer's language costs: pages, mails, choosing it, loading its catalogs.

    .venv/bin/python -m bench.languages [--requests 200] [--mails 200] [--rounds 200]

In one run, on one machine, each language against English measured alongside it:

- pages: one order fulfilled for real through the worker app (the demo's sample
  product, a PDF and an EPUB, embedded stack), its record carrying no language, so
  the browser's Accept-Language decides; then `GET /d/<token>`, `GET /verify?code=`
  (its stamp code; each request from its own address, past the per-client limit)
  and `GET /links` through the service app's test client, --requests per language,
  the languages taken in turn so a busy moment of the machine falls on all of them;
  median and p95 ms per request, and the median's ratio to English;
- mails: `render_delivery` (worker/mail) of that order's links, --mails per language;
- choosing: `common.i18n.from_accept_language` against werkzeug's
  `LanguageAccept.best_match` and Babel's `negotiate_locale` (Babel reads no header:
  its peer takes werkzeug's parse, ordered by q, as its list of preferences) over
  browsers' headers and hostile ones, µs per header; the three answers compared on
  the browsers' headers, every disagreement printed;
- catalogs: the first `translations(lang, domain)` of each domain with the cache
  cleared (open and parse the .mo), against a warm lookup.

The test client skips the WSGI server and the socket, so a page's figure is the
app's own work (routing, storage reads, Jinja, gettext); gunicorn adds the same
for every language. Needs the compiled catalogs (`make locales`).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from babel import negotiate_locale
from flask.testing import FlaskClient
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from common.i18n import LANGUAGES, from_accept_language, translations
from common.i18n._catalogs import DOMAINS
from common.messages import Buyer, OrderPaid, push_envelope
from common.orders import OrderRecord
from common.settings import Settings
from demo.purchase import ensure_sample_book
from service.app import create_app as create_service
from worker.app import create_app as create_worker
from worker.mail import Link, Shop, render_delivery
from worker.mail._outbox import download_links, read_mail

ROOT = Path(__file__).resolve().parent.parent
ORDER = "552312-7"

# What browsers send (their UI language first, then what the user added), as Chrome,
# Firefox and Safari spell it: region subtags, q steps of 0.1, Firefox's 0.3-0.7 tails.
BROWSERS = [
    "en-US,en;q=0.9",
    "en-GB,en;q=0.9,en-US;q=0.8",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "de,en-US;q=0.7,en;q=0.3",
    "de-CH,de;q=0.9,fr-CH;q=0.8,fr;q=0.7,en;q=0.6",
    "de-AT,de;q=0.8,en-US;q=0.5,en;q=0.3",
    "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3",
    "fr-CA,fr;q=0.9,en-CA;q=0.8,en;q=0.7",
    "fr-BE,fr;q=0.9,nl;q=0.8,en;q=0.7",
    "es-ES,es;q=0.9",
    "es-419,es;q=0.9,en;q=0.8",
    "es-MX,es;q=0.8,en-US;q=0.5,en;q=0.3",
    "es-AR,es;q=0.9,en-US;q=0.8,en;q=0.7",
    "it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7",
    "it,en-US;q=0.7,en;q=0.3",
    "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
    "pt-PT,pt;q=0.9,en-GB;q=0.8,en;q=0.7",
    "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
    "nl,en-US;q=0.7,en;q=0.3",
    "ar,en-US;q=0.9,en;q=0.8",
    "ar-EG,ar;q=0.9,en-US;q=0.8,en;q=0.7",
    "ar-SA,ar;q=0.9",
    "ja,en-US;q=0.9,en;q=0.8",
    "zh-CN,zh;q=0.9,en;q=0.8",
    "zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7",
    "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7",
    "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
    "pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7",
    "tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7",
    "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7",
    "uk-UA,uk;q=0.9,ru;q=0.8,en-US;q=0.7,en;q=0.6",
    "hi-IN,hi;q=0.9,en-IN;q=0.8,en;q=0.7",
    "en-IN,en-GB;q=0.9,en-US;q=0.8,en;q=0.7,hi;q=0.6",
    "ca-ES,ca;q=0.9,es;q=0.8,en;q=0.7",
    "gl,es;q=0.8,en;q=0.5",
    "tlh,de;q=0.5",
    "en",
    "de",
    "*",
    "en-US,*;q=0.5",
    "de-DE,fr;q=0.9",
    "fr-CH, de;q=0.9",
    "es, fr",
]
# A stranger's: 500 characters of tags our parser must look at one by one, odd q values,
# and one past our 512-character limit, near the most gunicorn lets through in one header
# (limit_request_field_size, 8,190 bytes by default:
# https://docs.gunicorn.org/en/stable/settings.html#limit-request-field-size).
HOSTILE = [
    ",".join(["xx-Yyyy-ZZ;q=0.001"] * 26)[:500],
    ",".join(["a"] * 250)[:500],
    ",".join(f"q{n:03d};q=0.{n % 10}" for n in range(50))[:500],
    "de;q=" + "9" * 494,
    ",".join(["zh-Hant-TW-x-private"] * 400)[:8000],
]
HOSTILE_LONG = 512  # ours reads no header past this (common/i18n/_languages.py)


def stack(folder: Path) -> tuple[FlaskClient, str, str, OrderRecord]:
    """One order fulfilled through the worker app: the service's client, a link's token, code."""
    settings = Settings.from_env(
        {
            "LOCAL_DATA_DIR": str(folder / "var"),
            "CATALOG": str(ROOT / "sample" / "catalog.toml"),
            "PADDLE_WEBHOOK_SECRET": "pdl_ntfset_bench",
            "STAMP_SECRET": "bench-stamp-secret",
            "PUBLIC_URL": "http://127.0.0.1:8080",
        }
    )
    ensure_sample_book(settings)
    buyer = Buyer("Ada Lovelace", "ada@example.com")
    message = OrderPaid(
        ORDER, ("paddle:552312",), "evt-7", "2025-06-15T12:00:00Z", "paddle", "classic", buyer
    )
    envelope = push_envelope(message, "m-1", "projects/p/subscriptions/orders-push")
    answer = create_worker(settings).test_client().post("/pubsub/push", json=envelope)
    if answer.status_code != 204:
        raise SystemExit(f"the worker did not fulfil the order: {answer.status_code}")
    [mail] = (settings.local_data_dir / "outbox").glob("*.eml")
    link, _epub = download_links(read_mail(mail))
    records = settings.local_data_dir / "storage" / settings.delivery_bucket / "orders"
    record = OrderRecord.from_json((records / f"{ORDER}.json").read_bytes())
    return create_service(settings).test_client(), link.rsplit("/d/", 1)[1], record.code, record


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def in_turns(count: int, work: Callable[[str, int], None]) -> dict[str, list[float]]:
    """Seconds of `work(lang, n)`, `count` times per language, the languages in turn."""
    for lang in LANGUAGES:
        work(lang, -1)  # the catalog loaded, the templates compiled: a long-lived instance
    times: dict[str, list[float]] = {lang: [] for lang in LANGUAGES}
    for n in range(count):
        for lang in LANGUAGES:
            start = time.perf_counter()
            work(lang, n)
            times[lang].append(time.perf_counter() - start)
    return times


def print_times(title: str, times: dict[str, list[float]]) -> None:
    english = statistics.median(times["en"])
    print(f"\n{title}")
    print(f"{'lang':<5} {'median ms':>10} {'p95 ms':>8} {'x en':>6}")
    for lang, seconds in times.items():
        median = statistics.median(seconds)
        p95 = percentile(seconds, 0.95)
        print(f"{lang:<5} {median * 1000:>10.3f} {p95 * 1000:>8.3f} {median / english:>6.2f}")


def pages(client: FlaskClient, token: str, code: str, count: int) -> None:
    def getter(path: str, query: dict[str, str] | None = None) -> Callable[[str, int], None]:
        def get(lang: str, n: int) -> None:
            address = f"10.{(n + 1) % 256}.{LANGUAGES.index(lang)}.{(n + 1) // 256 % 256}"
            page = client.get(
                path,
                query_string=query,
                headers={"Accept-Language": f"{lang};q=0.9,tlh"},
                environ_base={"REMOTE_ADDR": address},  # /verify counts 60 an hour per client
            )
            if page.status_code != 200 or page.headers["Content-Language"] != lang:
                raise SystemExit(f"{path} in {lang}: {page.status_code}")

        return get

    print_times(f"GET /d/<token>, {count} per language", in_turns(count, getter(f"/d/{token}")))
    verify = getter("/verify", {"code": code})
    print_times(f"GET /verify?code=, {count} per language", in_turns(count, verify))
    print_times(f"GET /links, {count} per language", in_turns(count, getter("/links")))


def mails(record: OrderRecord, count: int) -> None:
    shop = Shop("Vexlo Grummet", "https://books.example/links", "help@books.example", 5)
    links = [
        Link(f.filename, f"https://books.example/d/t0k3n.{n}", "2.4 MB")
        for n, f in enumerate(record.files)
    ]
    expires = int(time.time()) + 30 * 86400

    def render(lang: str, n: int) -> None:
        render_delivery(record, links, expires, shop, language=lang)

    print_times(f"render_delivery, {count} per language", in_turns(count, render))


def werkzeug_choice(header: str) -> str:
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES) or ""


def babel_choice(header: str) -> str:
    preferred = [tag for tag, quality in parse_accept_header(header, LanguageAccept) if quality]
    return (negotiate_locale(preferred, LANGUAGES, sep="-") or "").lower()


PEERS: dict[str, Callable[[str], str]] = {
    "ours": from_accept_language,  # common.i18n
    # An exact match first, even at a lower q than a regional tag of ours ("de-DE,fr;q=0.9"
    # answers fr), on purpose (https://github.com/pallets/werkzeug/issues/2732); ties go
    # to the order of LANGUAGES, not the header's; "*" matches our first language.
    "werkzeug": werkzeug_choice,  # LanguageAccept.best_match
    "babel": babel_choice,  # werkzeug's parse, then negotiate_locale
}


def choosing(rounds: int) -> None:
    sets = {
        "browsers": BROWSERS,
        "hostile 500": [h for h in HOSTILE if len(h) <= HOSTILE_LONG],
        "hostile 8000": [h for h in HOSTILE if len(h) > HOSTILE_LONG],
    }
    print(f"\nchoosing the language, µs per header, best of 5 x {rounds} rounds")
    print(f"{'':<9}" + "".join(f"{name:>14} {'x ours':>7}" for name in sets))
    table: dict[str, list[float]] = {}
    for headers in sets.values():
        for name, seconds in per_header(headers, rounds).items():
            table.setdefault(name, []).append(seconds)
    for name, row in table.items():
        cells = (f"{t:>14.2f} {ratio(t / o):>7}" for t, o in zip(row, table["ours"], strict=True))
        print(f"{name:<9}" + "".join(cells))
    lengths = ", ".join(str(len(header)) for header in HOSTILE)
    print(f"({len(BROWSERS)} browsers' headers; hostile: {lengths} characters)")
    disagreements = 0
    for header in BROWSERS:
        answers = {name: choose(header) or "-" for name, choose in PEERS.items()}
        if len(set(answers.values())) > 1:
            disagreements += 1
            print(f"  {header!r:<24} " + ", ".join(f"{n} {a}" for n, a in answers.items()))
    print(f"{disagreements} of {len(BROWSERS)} browsers' headers answered differently")
    print("('-': none, so the shop's language decides: ours names none for '*' on purpose)")


def ratio(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def per_header(headers: list[str], rounds: int) -> dict[str, float]:
    """µs per header of each peer, best of 5, the peers in turn within each of the 5."""
    best = {name: float("inf") for name in PEERS}
    for _ in range(5):
        for name, choose in PEERS.items():
            start = time.perf_counter()
            for _ in range(rounds):
                for header in headers:
                    choose(header)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: seconds / (rounds * len(headers)) * 1e6 for name, seconds in best.items()}


@contextmanager
def cold_catalogs() -> Iterator[None]:
    translations.cache_clear()
    try:
        yield
    finally:
        translations.cache_clear()


def catalogs(rounds: int) -> None:
    print("\ncatalogs: the first translations(lang, domain) after cache_clear(), then warm")
    print(f"{'lang':<5} " + " ".join(f"{d + ' cold ms':>16}" for d in DOMAINS) + f"{'warm µs':>10}")
    for lang in LANGUAGES:
        cold = {domain: float("inf") for domain in DOMAINS}
        for _ in range(5):  # best of 5: the .mo stays in the page cache, as on a warm instance
            with cold_catalogs():
                for domain in DOMAINS:
                    start = time.perf_counter()
                    translations(lang, domain)
                    cold[domain] = min(cold[domain], time.perf_counter() - start)
        translations(lang, "pages")
        start = time.perf_counter()
        for _ in range(rounds):
            translations(lang, "pages")
        warm = (time.perf_counter() - start) / rounds * 1e6
        colds = " ".join(f"{cold[domain] * 1000:>16.3f}" for domain in DOMAINS)
        print(f"{lang:<5} {colds}{warm:>10.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="per page and language")
    parser.add_argument("--mails", type=int, default=200, help="per language")
    parser.add_argument("--rounds", type=int, default=200, help="over every header, per peer")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # a JSON line per request would be the bench's own cost
    with tempfile.TemporaryDirectory() as folder:
        client, token, code, record = stack(Path(folder))
        pages(client, token, code, args.requests)
    mails(record, args.mails)
    choosing(args.rounds)
    catalogs(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
