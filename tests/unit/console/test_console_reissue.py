"""`exlibris reissue PRODUCT`: who is mailed, once each, and a run that stops resumes."""

from __future__ import annotations

from typing import Any

from common.messages import Message
from demo.sample_book import make_sample_book
from tests.integration.conftest import mailer_for
from tests.support.http_standin import Reply
from tests.support.inline_publisher import InlinePublisher
from tests.support.sendgrid_standin import SendGridStandIn
from tests.support.shop import Shop
from worker.app import create_app

SLUG = "practical-python"


def upload_new_edition(shop: Shop) -> None:
    (shop.original() / "practical-python.pdf").write_bytes(make_sample_book(pages=49))


def new_edition_mails(shop: Shop) -> list[str]:
    return sorted(m["X-Exlibris-Order"] for m in shop.mails() if "new edition" in m["Subject"])


def customers(shop: Shop, count: int) -> list[str]:
    ids = [f"552312-{n}" for n in range(1, count + 1)]
    for n, order_id in enumerate(ids):
        shop.buy(order_id, f"buyer{n}@example.com", f"Buyer {n}")
    return ids


class Interrupting(InlinePublisher):
    """Ctrl-C after `allowed` messages, as an author closing the laptop mid-run."""

    def __init__(self, inner: InlinePublisher, allowed: int) -> None:
        super().__init__(inner.worker)
        self.allowed = allowed

    def publish(self, message: Message) -> str:
        if self.allowed == 0:
            raise KeyboardInterrupt
        self.allowed -= 1
        return super().publish(message)


def test_a_dry_run_lists_who_would_be_mailed_and_sends_nothing(shop: Shop) -> None:
    customers(shop, 2)
    shop.console("revoke", "552312-2", "--reason", "refund")
    upload_new_edition(shop)
    published = len(shop.publisher.published)
    ran = shop.console("reissue", SLUG, "--dry-run")
    assert ran.status == 0, ran.err
    assert "1 to mail; left out: 1 revoked" in ran.out
    assert "552312-1" in ran.out and "b***@e***.com" in ran.out
    assert "552312-2" not in ran.out.split("would be mailed")[1]
    assert len(shop.publisher.published) == published
    shown = shop.console("reissue", SLUG, "--dry-run", "--show-buyers")
    assert "buyer0@example.com" in shown.out


def test_every_entitled_buyer_is_mailed_once_and_a_second_run_mails_nobody(shop: Shop) -> None:
    ids = customers(shop, 3)
    shop.console("revoke", "552312-3", "--reason", "refund")
    upload_new_edition(shop)
    shop.buy("552312-9", "late@example.com", "Late Buyer")  # bought the new edition already
    ran = shop.console("reissue", SLUG, "--rate", "1000")
    assert ran.status == 0, ran.err
    assert "2 to mail; left out: 1 has this edition, 1 revoked" in ran.out
    assert "done 2  failed 0  remaining 0" in ran.out
    assert new_edition_mails(shop) == ids[:2]
    again = shop.console("reissue", SLUG)
    assert again.status == 0
    assert "0 to mail" in again.out and "2 done already" in again.out
    assert new_edition_mails(shop) == ids[:2]


def test_only_the_named_orders(shop: Shop) -> None:
    ids = customers(shop, 3)
    upload_new_edition(shop)
    assert shop.console("reissue", SLUG, "--only", ids[1], "--rate", "1000").status == 0
    assert new_edition_mails(shop) == [ids[1]]


def test_an_interrupted_run_resumes_where_it_stopped(shop: Shop) -> None:
    ids = customers(shop, 4)
    upload_new_edition(shop)
    cut = Interrupting(shop.publisher, allowed=2)
    stopped = shop.console("reissue", SLUG, "--rate", "1000", publisher=cut)
    assert stopped.status == 130
    assert "interrupted; run the same command again" in stopped.err
    assert new_edition_mails(shop) == ids[:2]
    resumed = shop.console("reissue", SLUG, "--rate", "1000")
    assert resumed.status == 0, resumed.err
    assert "2 to mail; left out: 2 done already" in resumed.out
    assert new_edition_mails(shop) == ids


def test_a_failed_order_is_counted_and_a_run_after_the_fix_finishes_it(
    shop: Shop, sendgrid_standin: SendGridStandIn
) -> None:
    ids = customers(shop, 2)
    upload_new_edition(shop)
    worker = create_app(shop.settings, mailer=mailer_for(sendgrid_standin))
    publisher = InlinePublisher(worker.test_client())
    refusal: dict[str, Any] = {
        "errors": [{"message": "The to email does not contain a valid address."}]
    }
    sendgrid_standin.script(Reply(400, refusal))
    ran = shop.console("reissue", SLUG, "--rate", "1000", publisher=publisher)
    assert ran.status == 1
    assert "1 orders failed; fix the cause, then run the same command again" in ran.err
    assert "done 1  failed 1  remaining 0" in ran.out
    assert "mail rejected: SendGrid answered 400" in ran.out
    assert len(sendgrid_standin.mails) == 1
    again = shop.console("reissue", SLUG, "--rate", "1000", publisher=publisher)
    assert again.status == 0, again.err
    assert len(sendgrid_standin.mails) == 2
    mailed = sorted(m["custom_args"]["order_id"] for m in sendgrid_standin.mails)
    assert mailed == ids


def test_a_run_without_progress_stops_and_says_how_to_resume(shop: Shop) -> None:
    customers(shop, 1)
    upload_new_edition(shop)
    shop.publisher.attempts = 0  # the messages never reach a worker
    ran = shop.console("reissue", SLUG, "--rate", "1000", "--stall", "0.3")
    assert ran.status == 1
    assert "no progress for 0.3 s with 1 orders left" in ran.err
    assert "run the same command again to resume" in ran.err
