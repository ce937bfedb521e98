"""Hostile buyer data through the whole pipeline: signed webhook → service → worker → outbox.

Every case comes from a correctly signed Paddle Classic fulfilment webhook,
because buyers type their own names and addresses. Whatever they typed, the
answer is one mail to exactly one address, or one clean 4xx refusal; never a
5xx and never an order left in `mailing`.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from common.orders import OrderRecord, Status
from common.settings import Settings
from tests.support.inprocess import Pipeline, pipeline
from tests.support.paddle_payloads import classic_fulfilment, public_pem, rsa_test_key, signed_form
from tests.support.pdfs import book
from worker.mail._outbox import plain_text

_ORDERS = itertools.count(1)


@pytest.fixture
def flow(settings: Settings, sample_epub: bytes) -> Pipeline:
    originals = settings.local_data_dir / "storage" / settings.source_bucket
    originals.mkdir(parents=True, exist_ok=True)
    (originals / "practical-python.pdf").write_bytes(book(3))
    (originals / "practical-python.epub").write_bytes(sample_epub)
    return pipeline(settings.with_overrides(paddle_public_key=public_pem(rsa_test_key())))


def buy(flow: Pipeline, name: str, email: str) -> tuple[str, int]:
    order_id = f"7001-{next(_ORDERS)}"
    fields = classic_fulfilment(order_id=order_id, email=email, customer_name=name)
    form = signed_form(fields, rsa_test_key())
    response = flow.service.post("/webhooks/paddle-classic", data=form)
    return order_id, response.status_code


def assert_one_mail_or_a_clean_refusal(flow: Pipeline, order_id: str, status: int) -> None:
    assert status < 500
    assert all(s < 500 for s in flow.publisher.statuses), flow.publisher.statuses
    mails = [m for m in flow.mails() if m["X-Exlibris-Order"] == order_id]
    path = flow.record_path(order_id)
    if status >= 400:
        assert mails == []
        assert not path.exists()
        return
    assert status == 200
    record = OrderRecord.from_json(path.read_bytes())
    if record.awaiting_buyer:  # a blank email field: kept for its payment_succeeded alert
        assert mails == []
        return
    assert record.status == Status.MAILED, record.history
    [mail] = mails
    [to] = mail["To"].addresses
    assert to.addr_spec.lower() in {record.buyer_email.lower(), _ascii(record.buyer_email)}
    shown = to.display_name  # the header may shorten a long name; the body and stamp keep it
    assert shown == record.buyer_name or (
        shown.endswith("…") and record.buyer_name.startswith(shown[:-1].rstrip())
    )
    assert "/d/" in plain_text(mail)


def _ascii(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.encode('idna').decode()}".lower()


HOSTILE = {
    "crlf in the name": ("Eve\r\nBcc: x@evil.example", "eve@example.com", 200),
    "ten thousand characters": ("Ada " * 2500, "ada@example.com", 200),
    "nul in the name": ("Ada\x00Lovelace", "ada@example.com", 200),
    "line separator": ("Ada\u2028Lovelace", "ada@example.com", 200),
    "nel": ("Ada\x85Lovelace", "ada@example.com", 200),
    "two addresses": ("Mallory", "m@example.com, x@evil.example", 400),
    "display name as the email": ("Mallory", "Mallory <m@example.com>", 400),
    "idn domain": ("Zoë", "zoë@bücher.de", 200),
}


@pytest.mark.parametrize(("name", "email", "status"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_buyer_data_gives_one_mail_or_a_clean_refusal(
    flow: Pipeline, name: str, email: str, status: int
) -> None:
    order_id, answered = buy(flow, name, email)
    assert answered == status
    assert_one_mail_or_a_clean_refusal(flow, order_id, answered)


def test_two_addresses_never_reach_the_outbox(flow: Pipeline) -> None:
    buy(flow, "Mallory", "m@example.com, x@evil.example")
    assert flow.mails() == []


# Anything a form can carry: UTF-8, so no lone surrogates (test_classic_signature posts those).
_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)
_EMAILS = st.one_of(
    st.emails(),
    _ANY_TEXT,
    st.builds(lambda a, b: f"{a}@{b}", _ANY_TEXT, st.sampled_from(["example.com", "bücher.de"])),
    st.builds(lambda a, b: f"{a}, {b}", st.emails(), st.emails()),
)


@hsettings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.one_of(_ANY_TEXT, st.text(min_size=150, max_size=400)), email=_EMAILS)
def test_any_name_and_email_give_one_mail_or_a_clean_refusal(
    flow: Pipeline, name: str, email: str
) -> None:
    order_id, status = buy(flow, name, email)
    assert_one_mail_or_a_clean_refusal(flow, order_id, status)
    if status == 200 and email.strip():  # only a blank email field leaves the buyer unknown
        assert not OrderRecord.from_json(flow.record_path(order_id).read_bytes()).awaiting_buyer
