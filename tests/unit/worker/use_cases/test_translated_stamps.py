"""A buyer's copy is stamped in the order's language when the author translated the templates.

The ex-libris page keeps following the book's language (its xml:lang), whatever words the
author chose for it: the page is part of the book, the words are the author's.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from common.messages import Buyer, OrderPaid
from common.settings import Settings
from tests.unit.worker.use_cases.test_in_memory import memory_deps
from worker.deps import WorkerDeps
from worker.dispatch import handle

CATALOG = """
[products.novel]
ids = ["stripe:price_novel"]
title = "Novel"
[[products.novel.files]]
source = "novel.epub"
stamp = true
exlibris_template = "This copy belongs to {name}, order {order}."
[products.novel.files.templates]
de = { exlibris_template = "Dieses Exemplar gehört {name}, Bestellung {order}." }
"""


def shop(settings: Settings, tmp_path: Path, sample_epub: bytes) -> WorkerDeps:
    return memory_deps(settings, tmp_path, catalog=CATALOG, originals={"novel.epub": sample_epub})


def exlibris_page(deps: WorkerDeps, order_id: str, language: str) -> str:
    paid = OrderPaid(
        order_id,
        ("stripe:price_novel",),
        f"evt_{order_id}",
        "2026-01-01T00:00:00Z",
        "stripe",
        buyer=Buyer("Ada Lovelace", "ada@example.com"),
        language=language,
    )
    handle(paid, deps)
    record, _ = deps.orders.load(order_id)
    assert record is not None
    copy = zipfile.ZipFile(io.BytesIO(deps.orders.read(record.files[0].object_name).data))
    [page] = [n for n in copy.namelist() if "exlibris" in n and n.endswith(".xhtml")]
    return copy.read(page).decode()


def words(page: str) -> str:
    """The page as read: the stamp wraps each of the buyer's values in <bdi>."""
    return re.sub(r"<[^>]+>", "", page)


def test_a_german_order_gets_the_author_s_german_words_in_the_book_s_language(
    settings: Settings, tmp_path: Path, sample_epub: bytes
) -> None:
    page = exlibris_page(shop(settings, tmp_path, sample_epub), "o-de", "de")
    assert "Dieses Exemplar gehört Ada Lovelace, Bestellung o-de." in words(page)
    assert 'xml:lang="en"' in page  # the sample book is English, and the page says so


def test_an_order_in_a_language_the_author_did_not_write_gets_the_author_s_words(
    settings: Settings, tmp_path: Path, sample_epub: bytes
) -> None:
    deps = shop(settings, tmp_path, sample_epub)
    assert "This copy belongs to Ada Lovelace, order o-fr." in words(
        exlibris_page(deps, "o-fr", "fr")
    )
    assert "This copy belongs to Ada Lovelace, order o-xx." in words(
        exlibris_page(deps, "o-xx", "")
    )


def test_an_order_of_no_language_follows_the_shop_s(
    settings: Settings, tmp_path: Path, sample_epub: bytes
) -> None:
    deps = shop(settings.with_overrides(shop_language="de"), tmp_path, sample_epub)
    assert "Dieses Exemplar gehört Ada Lovelace" in words(exlibris_page(deps, "o-shop", ""))
