"""Every public route, and the worker's push route, answer anything with at most a 4xx.

Strangers control paths, query strings, headers and bodies; Paddle signs what
buyers typed. The known 500s come first as plain cases (100,000-deep JSON,
lone surrogates, non-ASCII base64, traversal in /_local), then hypothesis
throws arbitrary input at each route.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from common.merchants._paddle_billing import sign_billing
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from service.app import create_app as create_service
from tests.conftest import WEBHOOK_SECRET
from tests.support.paddle_payloads import (
    billing_body,
    billing_transaction_completed,
    classic_fulfilment,
    public_pem,
    rsa_test_key,
    signed_form,
)
from worker.app import create_app as create_worker

UNREACHABLE_WORKER = "http://127.0.0.1:9/pubsub/push"
DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"email": ' + DEEP + b"}"
SURROGATE_EMAIL = b'{"email": "\\ud800@example.com"}'
FUZZ = hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def service_app(settings: Settings) -> Flask:
    keyed = settings.with_overrides(paddle_public_key=public_pem(rsa_test_key()))
    publisher = LocalPushPublisher(UNREACHABLE_WORKER, settings.local_data_dir, max_attempts=1)
    return create_service(keyed, publisher=publisher)


@pytest.fixture
def service(service_app: Flask) -> FlaskClient:
    return service_app.test_client()


@pytest.fixture
def worker(settings: Settings, originals: Path) -> FlaskClient:
    return create_worker(settings).test_client()


def sign(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Paddle-Signature": sign_billing(body, WEBHOOK_SECRET, int(time.time())),
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [(DEEP, 400), (DEEP_OBJECT, 400), (SURROGATE_EMAIL, 400), (b'{"email": "\xff"}', 400)],
    ids=["deep-array", "deep-in-object", "lone-surrogate", "not-utf8"],
)
def test_links_refuses_hostile_json_with_a_400(service: FlaskClient, body: bytes, status: int):
    response = service.post("/links", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.json["error"]


def test_a_lone_surrogate_in_a_signed_billing_body_is_a_400(service: FlaskClient) -> None:
    body = billing_body(billing_transaction_completed("txn_01")).replace(
        b'"ctm_01hv6y1jedq4p1n0yqn5ba3ky4"', b'"ctm_\\udfff"'
    )
    response = service.post("/webhooks/paddle", data=body, headers=sign(body))
    assert response.status_code == 400


def envelope(data: object, **message: object) -> dict[str, object]:
    return {"message": {"data": data, "messageId": "1", **message}, "subscription": "s"}


PUSHES = {
    "deep json": DEEP,
    "non-ascii base64": json.dumps(envelope("éé" + base64.b64encode(b"{}").decode())).encode(),
    "attributes a list": json.dumps(envelope("e30=", attributes=["type"])).encode(),
    "attributes a string": json.dumps(envelope("e30=", attributes="type")).encode(),
    "message id an object": json.dumps(envelope("e30=", messageId={"a": 1})).encode(),
    "deep json in data": json.dumps(envelope(base64.b64encode(DEEP).decode())).encode(),
}


@pytest.mark.parametrize("body", PUSHES.values(), ids=PUSHES.keys())
def test_hostile_pushes_are_acknowledged_and_dead_lettered(
    worker: FlaskClient, settings: Settings, body: bytes
) -> None:
    response = worker.post("/pubsub/push", data=body, content_type="application/json")
    assert response.status_code == 204
    assert len(list((settings.local_data_dir / "dead-letter").glob("*.json"))) == 1


LOCAL = [
    "/_local/../orders/x.json",
    "/_local/exlibris-deliveries/../../etc/passwd",
    "/_local/exlibris-deliveries/%2e%2e/%2e%2e/etc/passwd",
    "/_local/..%2F..%2Fetc/passwd",
    "/_local/EXLIBRIS/copies/x.pdf",
    "/_local/exlibris-deliveries/copies/%00.pdf",
    "/_local/exlibris-deliveries/copies/%ff%fe.pdf",
    "/_local/exlibris-deliveries/copies/x.pdf?expires=%C2%B2&signature=x&filename=%00",
    "/_local/exlibris-deliveries/copies/x.pdf?expires=9999999999&filename=%ed%a0%80",
]


@pytest.mark.parametrize("path", LOCAL)
def test_local_urls_with_odd_names_are_refused(service: FlaskClient, path: str) -> None:
    assert service.get(path).status_code in (403, 404)


_TEXT = st.text(max_size=120)
_ANY = st.text(st.characters(codec=None), max_size=80)


@FUZZ
@given(path=_TEXT, query=st.dictionaries(_TEXT, _TEXT, max_size=4))
def test_any_get_on_a_public_route_is_never_a_5xx(
    service: FlaskClient, path: str, query: dict[str, str]
) -> None:
    segment, tail = quote(path, safe=""), quote(path, safe="/")
    targets = [
        (f"/d/{segment}", query),
        (f"/_local/exlibris-deliveries/{tail}", query),
        (f"/_local/{tail}", query),
        ("/verify", {**query, "code": path}),
        ("/links", query),
        ("/thanks", {**query, "ref": path}),  # past 30 a minute a 429, which is < 500 too
    ]
    for target, args in targets:
        for method in ("GET", "HEAD"):
            response = service.open(target, method=method, query_string=args)
            assert response.status_code < 500, (method, target, response.status_code)


@FUZZ
@given(
    token=_TEXT,
    form=st.dictionaries(st.sampled_from(["form", "x"]) | _TEXT, _ANY, max_size=3),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "Origin": _TEXT.filter(str.isascii).filter(str.isprintable),
            "Sec-Fetch-Site": st.sampled_from(["cross-site", "same-site", "same-origin", "none"]),
        },
    ),
)
def test_any_post_to_a_link_is_never_a_5xx(
    service: FlaskClient, token: str, form: dict[str, str], headers: dict[str, str]
) -> None:
    # Encoded by hand: the test client refuses lone surrogates, a stranger's bytes need not.
    body = urlencode(form, encoding="utf-8", errors="surrogatepass")
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    response = service.post(f"/d/{token}", data=body, headers=headers | form_type)
    assert response.status_code < 500


@FUZZ
@given(
    body=st.binary(max_size=400) | st.builds(lambda e: json.dumps({"email": e}).encode(), _ANY),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ]
    ),
)
def test_any_links_request_is_never_a_5xx(
    service: FlaskClient, body: bytes, content_type: str
) -> None:
    response = service.post("/links", data=body, content_type=content_type)
    assert response.status_code < 500


@FUZZ
@given(name=_ANY, email=_ANY, order=_ANY, product=st.sampled_from(["552312", "0", ""]) | _ANY)
def test_any_signed_classic_form_is_never_a_5xx(
    service: FlaskClient, name: str, email: str, order: str, product: str
) -> None:
    fields = classic_fulfilment(order_id=order, product_id=product, email=email, customer_name=name)
    try:
        form = signed_form(fields, rsa_test_key())
    except UnicodeEncodeError:  # Paddle cannot sign a lone surrogate either
        return
    response = service.post("/webhooks/paddle-classic", data=form)
    assert response.status_code < 500


@FUZZ
@given(customer=_ANY, order=_ANY, event=_ANY)
def test_any_signed_billing_body_is_never_a_5xx(
    service: FlaskClient, customer: str, order: str, event: str
) -> None:
    payload = billing_transaction_completed(order, customer, event_id=event)
    body = json.dumps(payload).encode()  # JSON escapes them: what a JSON encoder sends
    response = service.post("/webhooks/paddle", data=body, headers=sign(body))
    assert response.status_code < 500


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.builds(lambda j: json.dumps(j).encode(), _JSON),
        st.builds(
            lambda d, a: json.dumps(envelope(d, attributes=a)).encode(),
            st.text(max_size=40)
            | st.builds(lambda j: base64.b64encode(json.dumps(j).encode()).decode(), _JSON),
            _JSON,
        ),
    )
)
def test_any_push_is_never_a_5xx(worker: FlaskClient, body: bytes) -> None:
    response = worker.post("/pubsub/push", data=body, content_type="application/json")
    assert response.status_code < 500
