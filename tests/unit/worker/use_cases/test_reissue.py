"""The worker's re-issue of one order (worker/reissue.py), through its push route.

Every test starts from a delivered order, replaces the original as an author
would (a new file in embedded storage), and posts EditionReissued as the
console would. What is asserted is what the adapters wrote: mails in the
outbox, the record, the copy, the markers, dead letters.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import pikepdf
import pytest

from common.codes import derive_key
from common.messages import EditionReissued
from common.orders import (
    OrderRecord,
    Status,
    claim_name,
    count_download,
    done_name,
    edition_name,
    failed_name,
    load_record,
    read_count,
    read_json,
    save_record,
)
from common.settings import Settings
from common.storage import LocalStorage
from demo.sample_book import make_sample_book
from tests.integration.conftest import mailer_for
from tests.support.http_standin import Reply
from tests.support.inline_publisher import InlinePublisher
from tests.support.sendgrid_standin import SendGridStandIn
from tests.support.shop import Shop
from worker.app import create_app

BOOK = "practical-python.pdf"
SLUG = "practical-python"


def new_edition(shop: Shop, pages: int = 50) -> str:
    """Upload a corrected original; the edition the console would name."""
    (shop.original() / BOOK).write_bytes(make_sample_book(pages=pages))
    return edition_name({BOOK: shop.storage.generation(shop.settings.source_bucket, BOOK)})


def reissued(
    order_id: str, edition: str, request_id: str = "run-1", product: str = SLUG
) -> EditionReissued:
    return EditionReissued(order_id, product, edition, request_id, "2026-04-01T00:00:00Z")


def marker(shop: Shop, namer: Any, order_id: str, edition: str) -> dict[str, Any]:
    return read_json(shop.storage, shop.settings.delivery_bucket, namer(SLUG, edition, order_id))


def pages_of(shop: Shop, record: OrderRecord) -> int:
    data = shop.storage.read(shop.settings.delivery_bucket, record.files[0].object_name).data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def test_an_order_gets_a_copy_of_the_new_edition_and_one_mail(shop: Shop) -> None:
    shop.buy("552312-1")
    before = shop.record("552312-1")
    edition = new_edition(shop)
    shop.publisher.publish(reissued("552312-1", edition))

    _delivery, mail = shop.mails()
    assert mail["Subject"] == "A new edition of Practical Python Projects is ready"
    assert mail["To"] == "Ada Lovelace <ada@example.com>"
    assert mail["X-Exlibris-Category"] == "new-edition"
    after = shop.record("552312-1")
    current = shop.storage.generation(shop.settings.source_bucket, BOOK)
    assert after.files[0].source_generation == current != before.files[0].source_generation
    assert pages_of(shop, after) == 50
    assert after.status == Status.MAILED
    assert after.history[-1].note == f"new edition {edition} of {SLUG}"
    assert [m.kind for m in after.mails] == ["delivery", "new-edition"]
    assert after.mails[-1].provider_id == mail["Message-ID"]
    assert marker(shop, done_name, "552312-1", edition)["outcome"] == f"mailed {mail['Message-ID']}"
    assert marker(shop, claim_name, "552312-1", edition) == {}


def test_a_buyer_who_used_up_the_old_copys_downloads_can_fetch_the_new_edition(
    shop: Shop,
) -> None:
    shop.buy("552312-1")
    bucket, limit = shop.settings.delivery_bucket, shop.settings.download_limit
    for _ in range(limit):
        assert count_download(shop.storage, bucket, "552312-1", 0, limit=limit) is not None
    assert count_download(shop.storage, bucket, "552312-1", 0, limit=limit) is None  # used up
    shop.publisher.publish(reissued("552312-1", new_edition(shop)))
    assert len(shop.mails()) == 2
    assert read_count(shop.storage, bucket, "552312-1", 0)[0] == 0
    assert count_download(shop.storage, bucket, "552312-1", 0, limit=limit) == 1


def test_a_redelivery_or_a_second_run_mails_nobody_again(shop: Shop) -> None:
    shop.buy("552312-1")
    edition = new_edition(shop)
    shop.publisher.publish(reissued("552312-1", edition))
    shop.publisher.publish(reissued("552312-1", edition))
    shop.publisher.publish(reissued("552312-1", edition, request_id="run-2"))
    assert len(shop.mails()) == 2
    assert [m.kind for m in shop.record("552312-1").mails] == ["delivery", "new-edition"]


@pytest.mark.parametrize("status", [Status.REVOKED, Status.RECEIVED])
def test_an_order_not_entitled_or_not_delivered_is_skipped(shop: Shop, status: Status) -> None:
    shop.buy("552312-1")
    record, generation = load_record(shop.storage, shop.settings.delivery_bucket, "552312-1")
    assert record is not None
    changed = record.revoked(reason="refund", at="now") if status == Status.REVOKED else record
    save_record(
        shop.storage, shop.settings.delivery_bucket, replace(changed, status=status), generation
    )
    edition = new_edition(shop)
    shop.publisher.publish(reissued("552312-1", edition))
    assert len(shop.mails()) == 1
    assert marker(shop, done_name, "552312-1", edition)["outcome"].startswith("skipped")


def test_an_order_bought_after_the_upload_already_has_the_edition(shop: Shop) -> None:
    edition = new_edition(shop)
    shop.buy("552312-1")
    shop.publisher.publish(reissued("552312-1", edition))
    assert len(shop.mails()) == 1
    assert marker(shop, done_name, "552312-1", edition)["outcome"] == (
        "skipped: the copies are of this edition already"
    )


def test_a_fresh_claim_of_another_delivery_means_retry_later(shop: Shop) -> None:
    shop.buy("552312-1")
    edition = new_edition(shop)
    name = claim_name(SLUG, edition, "552312-1")
    claim = json.dumps({"claimed_at": 10**12, "request_id": "other"}).encode()
    shop.storage.write(shop.settings.delivery_bucket, name, claim, if_generation_match=0)
    shop.publisher.publish(reissued("552312-1", edition))
    assert shop.publisher.unhandled  # answered 503: Pub/Sub would redeliver
    assert len(shop.mails()) == 1


def test_a_stale_claim_is_taken_over(shop: Shop) -> None:
    shop.buy("552312-1")
    edition = new_edition(shop)
    name = claim_name(SLUG, edition, "552312-1")
    claim = json.dumps({"claimed_at": 1, "request_id": "crashed"}).encode()
    shop.storage.write(shop.settings.delivery_bucket, name, claim, if_generation_match=0)
    shop.publisher.publish(reissued("552312-1", edition))
    assert len(shop.mails()) == 2
    assert not shop.publisher.unhandled


@pytest.mark.parametrize(
    ("order_id", "product", "reason"),
    [("552312-1", "no-such-book", "no catalog product"), ("missing-9", SLUG, "no order")],
)
def test_a_permanent_failure_is_dead_lettered_and_noted_for_the_console(
    shop: Shop, order_id: str, product: str, reason: str
) -> None:
    shop.buy("552312-1")
    edition = new_edition(shop)
    shop.publisher.publish(reissued(order_id, edition, product=product))
    assert len(shop.mails()) == 1
    failed = read_json(
        shop.storage, shop.settings.delivery_bucket, failed_name(product, edition, order_id)
    )
    assert failed["request_id"] == "run-1" and reason in failed["reason"]
    letters = list((shop.settings.local_data_dir / "dead-letter").glob("*.json"))
    assert [json.loads(p.read_text())["kind"] for p in letters] == ["edition.reissued"]


class RefundDuringStamping(LocalStorage):
    """Embedded storage that revokes the order the moment its new copy is written."""

    def __init__(self, settings: Settings) -> None:
        root = settings.local_data_dir / "storage"
        key = derive_key(settings.stamp_secret, "local-url")
        super().__init__(root, public_url=settings.public_url, signing_key=key)
        self.settings = settings
        self.armed = False

    def write(self, bucket: str, name: str, data: bytes, **kwargs: Any) -> int:
        generation = super().write(bucket, name, data, **kwargs)
        if self.armed and name.startswith("copies/"):
            self.armed = False
            record, at = load_record(self, bucket, name.split("/")[1])
            assert record is not None
            save_record(self, bucket, record.revoked(reason="refund", at="now"), at)
        return generation


def test_a_refund_during_re_stamping_wins_and_takes_the_new_copy_back(
    shop: Shop, settings: Settings
) -> None:
    shop.buy("552312-1")
    storage = RefundDuringStamping(settings)
    publisher = InlinePublisher(create_app(settings, storage=storage).test_client())
    edition = new_edition(shop)
    storage.armed = True
    publisher.publish(reissued("552312-1", edition))
    record = shop.record("552312-1")
    assert record.status == Status.REVOKED
    assert len(shop.mails()) == 1
    assert not (
        settings.local_data_dir / "storage" / settings.delivery_bucket / record.files[0].object_name
    ).exists()
    assert marker(shop, done_name, "552312-1", edition)["outcome"] == "skipped: revoked"


def test_a_mail_that_failed_leaves_the_old_edition_recorded_so_a_retry_mails(
    shop: Shop, settings: Settings, sendgrid_standin: SendGridStandIn
) -> None:
    shop.buy("552312-1")
    before = shop.record("552312-1")
    edition = new_edition(shop)
    publisher = InlinePublisher(
        create_app(settings, mailer=mailer_for(sendgrid_standin)).test_client()
    )
    sendgrid_standin.script(*[Reply(503, "busy")] * 3)
    publisher.publish(reissued("552312-1", edition))
    assert publisher.unhandled and sendgrid_standin.mails == []
    assert shop.record("552312-1").files == before.files
    assert marker(shop, claim_name, "552312-1", edition) == {}  # released at once
    publisher.publish(reissued("552312-1", edition))
    assert len(sendgrid_standin.mails) == 1
    assert shop.record("552312-1").mails[-1].kind == "new-edition"
