"""Customer lookup against a local Paddle Billing stand-in, and the offline demo stand-in."""

from __future__ import annotations

import logging
import time

import pytest

from common.messages import Buyer
from tests.support.http_standin import Reply
from tests.support.paddle_standin import PaddleStandIn
from worker.customers import CustomerNotFound, LookupUnavailable, OfflineCustomers
from worker.customers.paddle_api import PaddleCustomers

CUSTOMER = "ctm_01hv8wt8nffez4p2t6typn4a5j"


def lookup_for(standin: PaddleStandIn, **overrides) -> tuple[PaddleCustomers, list[float]]:
    """A lookup aimed at the stand-in whose sleeps are recorded instead of slept."""
    slept: list[float] = []
    lookup = PaddleCustomers(
        standin.api_key, standin.url, **{"backoff": 0.25, "sleep": slept.append, **overrides}
    )
    return lookup, slept


def test_a_known_customer_is_the_buyer(paddle_standin) -> None:
    paddle_standin.add_customer(CUSTOMER, "zoe@example.org", "Zoë Buyer")
    lookup, _ = lookup_for(paddle_standin)
    assert lookup.lookup(CUSTOMER) == Buyer(name="Zoë Buyer", email="zoe@example.org")
    (request,) = paddle_standin.requests
    assert request.method == "GET"
    assert request.path == f"/customers/{CUSTOMER}"
    assert request.headers["authorization"] == f"Bearer {paddle_standin.api_key}"
    # developer.paddle.com, "Versioning": pin the version so a new one cannot change answers.
    assert request.headers["paddle-version"] == "1"


def test_a_customer_without_a_name_is_named_by_the_email_local_part(paddle_standin) -> None:
    paddle_standin.add_customer(CUSTOMER, "zoe.b@example.org", None)
    lookup, _ = lookup_for(paddle_standin)
    assert lookup.lookup(CUSTOMER) == Buyer(name="zoe.b", email="zoe.b@example.org")


def test_an_unknown_customer_is_not_found_without_retries(paddle_standin) -> None:
    lookup, slept = lookup_for(paddle_standin)
    with pytest.raises(CustomerNotFound):
        lookup.lookup("ctm_unknown")
    assert len(paddle_standin.requests) == 1
    assert slept == []


def test_an_id_cannot_escape_its_path_segment(paddle_standin) -> None:
    lookup, _ = lookup_for(paddle_standin)
    with pytest.raises(CustomerNotFound):
        lookup.lookup("../transactions/txn_1")
    assert paddle_standin.requests[0].path == "/customers/..%2Ftransactions%2Ftxn_1"


def test_5xx_is_retried_with_backoff_then_answers(paddle_standin) -> None:
    paddle_standin.add_customer(CUSTOMER, "zoe@example.org", "Zoë")
    paddle_standin.script(Reply(502), Reply(503))
    lookup, slept = lookup_for(paddle_standin)
    assert lookup.lookup(CUSTOMER).email == "zoe@example.org"
    assert len(paddle_standin.requests) == 3
    assert slept == [0.25, 0.5]


def test_429_honours_retry_after(paddle_standin) -> None:
    paddle_standin.add_customer(CUSTOMER, "zoe@example.org", "Zoë")
    paddle_standin.script(
        Reply(429, {"error": {"code": "too_many_requests"}}, {"Retry-After": "3"})
    )
    lookup, slept = lookup_for(paddle_standin)
    assert lookup.lookup(CUSTOMER).name == "Zoë"
    assert slept == [3.0]


def test_persistent_5xx_is_unavailable_after_the_attempts(paddle_standin) -> None:
    paddle_standin.script(*[Reply(500)] * 3)
    lookup, _ = lookup_for(paddle_standin, attempts=3)
    with pytest.raises(LookupUnavailable):
        lookup.lookup(CUSTOMER)
    assert len(paddle_standin.requests) == 3


def test_timeouts_are_retried_then_unavailable(paddle_standin) -> None:
    paddle_standin.script(*[Reply(200, delay=1.0)] * 2)
    lookup, _ = lookup_for(paddle_standin, timeout=0.2, attempts=2)
    started = time.monotonic()
    with pytest.raises(LookupUnavailable):
        lookup.lookup(CUSTOMER)
    assert time.monotonic() - started < 1.5
    assert len(paddle_standin.requests) == 2


def test_an_unreachable_paddle_is_unavailable() -> None:
    with PaddleStandIn() as standin:
        url = standin.url
    lookup = PaddleCustomers("pdl_key", url, sleep=lambda s: None)
    with pytest.raises(LookupUnavailable):
        lookup.lookup(CUSTOMER)


def test_a_refused_key_is_unavailable_with_paddle_detail_and_no_key(paddle_standin) -> None:
    lookup = PaddleCustomers("pdl_wrong_key", paddle_standin.url, sleep=lambda s: None)
    with pytest.raises(LookupUnavailable) as failure:
        lookup.lookup(CUSTOMER)
    assert "403" in str(failure.value) and "permitted" in str(failure.value)
    assert "pdl_wrong_key" not in str(failure.value)
    assert len(paddle_standin.requests) == 1


def test_the_emulator_standin_makes_up_any_customer_through_the_real_client() -> None:
    with PaddleStandIn(any_customer=True) as standin:
        buyer = PaddleCustomers(standin.api_key, standin.url).lookup("ctm_01/odd id")
    assert buyer == Buyer("Demo Buyer", "demo+ctm_01-odd-id@example.com")


def test_the_offline_stand_in_is_deterministic_safe_and_warns_once(caplog) -> None:
    offline = OfflineCustomers()
    with caplog.at_level(logging.WARNING, logger="worker.customers._offline"):
        first = offline.lookup("CTM_01/Evil Id")
        again = offline.lookup("CTM_01/Evil Id")
        offline.lookup("ctm_other")
    assert first == again == Buyer("Demo Buyer (CTM_01/Evil Id)", "demo+ctm_01-evil-id@example.com")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "demo only" in warnings[0].getMessage()


def test_a_cloud_worker_without_a_key_never_invents_a_buyer() -> None:
    from common.settings import Settings
    from worker.bootstrap import build_customers
    from worker.customers import LookupUnavailable

    cloud = Settings.from_env(
        {"STORAGE_BACKEND": "gcs", "PUBLISH_BACKEND": "pubsub", "STAMP_SECRET": "s3cret"}
    )
    with pytest.raises(LookupUnavailable, match="PADDLE_API_KEY"):
        build_customers(cloud).lookup("ctm_01real")
    embedded = Settings.from_env({})
    assert build_customers(embedded).lookup("ctm_1").email.endswith("@example.com")
