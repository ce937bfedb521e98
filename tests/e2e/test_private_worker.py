"""The worker behind Cloud Run IAM (the front-end stand-in), with PUSH_AUTH=cloud-run.

Deliveries arrive with the token's signature removed and still count; every
wrong push is refused, by the front end (Google's HTML page) or by the app
(JSON), and changes nothing. A strict front end (no test mode) stands for the
same service URL as the one the publisher uses, so tokenless requests can be sent.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests

from common.messages import OrderRevoked, push_envelope
from tests.e2e.conftest import DEPLOYER, LiveStack
from tests.e2e.test_purchase import post_classic, wait_for_mails
from tests.support.cloud_run_frontend import CloudRunFrontEnd, cloud_run_frontend
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer, stripped
from tests.support.paddle_payloads import classic_fulfilment


@pytest.fixture
def strict(live: LiveStack) -> Iterator[CloudRunFrontEnd]:
    with cloud_run_frontend(
        live.stack.worker_url,
        live.front.issuer,
        invokers=(PUSH_ACCOUNT, DEPLOYER),
        service_url=live.front.url,
    ) as front:
        yield front


def revoke(front: CloudRunFrontEnd, headers: dict[str, str]) -> tuple[requests.Response, str]:
    order_id = f"txn_e2e{uuid.uuid4().hex[:12]}"
    message = OrderRevoked(order_id, f"evt-{order_id}", "2026-01-01T00:00:00Z", "refund")
    body = push_envelope(message, uuid.uuid4().hex, "projects/p/subscriptions/orders-push")
    url = f"{front.url}/pubsub/push"
    return requests.post(url, json=body, headers=headers, timeout=30), order_id


def recorded(live: LiveStack, order_id: str) -> bool:
    return (
        live.data_dir / "storage" / "exlibris-deliveries" / "orders" / f"{order_id}.json"
    ).exists()


def test_a_purchase_reaches_the_worker_through_the_front_end_stripped(live: LiveStack) -> None:
    fields = classic_fulfilment(order_id="9100-1", product_id="552312", email="ada@example.com")
    assert post_classic(live, fields).status_code == 200
    assert len(wait_for_mails(live, 1)) == 1
    pushes = [e for e in live.front.exchanges if e.received.path == "/pubsub/push"]
    assert pushes and pushes[-1].status == 204
    for exchange in pushes:
        assert exchange.forwarded is not None
        assert exchange.forwarded["authorization"].endswith(".SIGNATURE_REMOVED_BY_GOOGLE")


def test_a_stripped_token_with_the_right_claims_delivers(
    live: LiveStack, strict: CloudRunFrontEnd
) -> None:
    response, order_id = revoke(strict, {"Authorization": strict.bearer(PUSH_ACCOUNT)})
    assert response.status_code == 204
    assert recorded(live, order_id)


def forged_push_account(front: CloudRunFrontEnd) -> str:
    """A token claiming to be the push account, shaped as Cloud Run forwards one."""
    return f"Bearer {stripped(GoogleIssuer().mint(front.service_url))}"


Headers = Callable[[CloudRunFrontEnd], dict[str, str]]
NOW = int(time.time())
REFUSED: dict[str, tuple[Headers, int, str]] = {
    "no-token": (lambda f: {}, 403, "front end"),
    "wrong-audience": (
        lambda f: {"Authorization": f.bearer(PUSH_ACCOUNT, aud="https://other.a.run.app")},
        401,
        "front end",
    ),
    "other-key": (
        lambda f: {"Authorization": f"Bearer {GoogleIssuer().mint(f.url)}"},
        401,
        "front end",
    ),
    "expired": (
        lambda f: {"Authorization": f.bearer(PUSH_ACCOUNT, iat=NOW - 7200, exp=NOW - 3600)},
        401,
        "front end",
    ),
    "not-an-invoker": (
        lambda f: {"Authorization": f.bearer("x@evil.iam.gserviceaccount.com")},
        403,
        "front end",
    ),
    "invoker-but-not-pubsub": (lambda f: {"Authorization": f.bearer(DEPLOYER)}, 403, "app"),
    "unverified-email": (
        lambda f: {"Authorization": f.bearer(PUSH_ACCOUNT, email_verified=False)},
        403,
        "app",
    ),
    "invoker-posing-as-pubsub": (
        lambda f: {
            "X-Serverless-Authorization": f.bearer(DEPLOYER),
            "Authorization": forged_push_account(f),
        },
        403,
        "app",
    ),
}


@pytest.mark.parametrize(("headers", "status", "by"), REFUSED.values(), ids=REFUSED.keys())
def test_a_wrong_push_is_refused_and_changes_nothing(
    live: LiveStack, strict: CloudRunFrontEnd, headers: Headers, status: int, by: str
) -> None:
    response, order_id = revoke(strict, headers(strict))
    assert response.status_code == status
    if by == "front end":
        assert response.headers["Content-Type"].startswith("text/html")
        assert f"<title>{status} " in response.text
    else:
        assert response.json()["error"]
    assert not recorded(live, order_id)


def test_a_header_name_with_underscores_is_refused_by_the_server_not_dropped(
    live: LiveStack,
) -> None:
    """X_Serverless_Authorization would map to X-Serverless-Authorization's WSGI key.

    gunicorn's default drops it and the app then reads the Authorization beside it, which
    Cloud Run passes on unchecked when the other header is present; gunicorn.conf.py has
    it refuse the request instead, before any app code runs.
    """
    order_id = f"txn_e2e{uuid.uuid4().hex[:12]}"
    message = OrderRevoked(order_id, f"evt-{order_id}", "2026-01-01T00:00:00Z", "refund")
    body = push_envelope(message, uuid.uuid4().hex, "projects/p/subscriptions/orders-push")
    forged = f"Bearer {stripped(GoogleIssuer().mint(live.front.service_url))}"
    headers = {"X_Serverless_Authorization": "Bearer checked-elsewhere", "Authorization": forged}
    url = f"{live.stack.worker_url}/pubsub/push"
    response = requests.post(url, json=body, headers=headers, timeout=30)
    assert response.status_code == 400
    assert not recorded(live, order_id)
