"""The test product the deploy's signed sale buys: the sample book, under the demo's ids.

No store sells these ids (they are the demo's, sample/catalog.toml), so the
product is invisible to buyers. It is added to the pushed catalog only when the
author's own catalog sells none of them (an author who started from the sample
catalog already sells the sample book under them).
"""

from __future__ import annotations

import tomllib

from demo.purchase import SAMPLE_PRICE
from demo.sample_book import make_sample_book

TEST_SLUG = "exlibris-deploy-test"
TEST_BOOK = "exlibris-deploy-test.pdf"
# The id each store's demo sale (demo/sales.py) buys.
TEST_IDS = {
    "paddle": f"paddle:{SAMPLE_PRICE}",
    "lemonsqueezy": "lemonsqueezy:140432",
    "shopify": "shopify:808950810",
    "woocommerce": "woocommerce:93",
}


def catalog_with_test_product(own: str, merchants: tuple[str, ...]) -> str:
    """The author's catalog text, plus the test product unless it already sells the test ids."""
    ids = [TEST_IDS[m] for m in merchants if m in TEST_IDS]
    if not ids or _sells_any(own, ids):
        return own
    lines = [
        f"[products.{TEST_SLUG}]",
        "# Added by `make deploy`: its signed test sale buys this; no store sells these ids.",
        f"ids = [{', '.join(repr(i).replace(chr(39), chr(34)) for i in ids)}]",
        'title = "exlibris test copy"',
        f'files = [{{ source = "{TEST_BOOK}", stamp = true, skip_pages = 1 }}]',
    ]
    return (own.rstrip() + "\n\n" if own.strip() else "") + "\n".join(lines) + "\n"


def _sells_any(own: str, ids: list[str]) -> bool:
    try:
        products = tomllib.loads(own).get("products", {})
    except tomllib.TOMLDecodeError:
        return False  # the parser says what is wrong, after this
    sold: set[str] = set()
    for body in products.values() if isinstance(products, dict) else ():
        if isinstance(body, dict):
            sold.update(f"paddle:{i}" for i in body.get("paddle_ids", []))
            sold.update(str(i) for i in body.get("ids", []))
    return bool(sold.intersection(ids))


def make_test_book() -> bytes:
    """A short sample book: enough pages to stamp (the first is the cover, left unstamped)."""
    return make_sample_book(pages=4, title="exlibris test copy")
