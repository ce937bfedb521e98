"""The Cloud Run front-end stand-in itself: it must be exactly as strict as the platform.

An HttpStandIn behind it plays the app and records what reached it, so each
test sees both sides: what the caller got and what the app was handed.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.cloud_run_frontend import (
    MAX_HTTP1_REQUEST,
    CloudRunFrontEnd,
    cloud_run_frontend,
)
from tests.support.google_identity import PUSH_ACCOUNT, GoogleIssuer
from tests.support.http_standin import HttpStandIn, Recorded, Reply

DEPLOYER = "deployer@exlibris-test.iam.gserviceaccount.com"  # may invoke, is not Pub/Sub


class App(HttpStandIn):
    def respond(self, request: Recorded) -> Reply:
        return Reply(204)


@pytest.fixture(scope="module")
def issuer() -> GoogleIssuer:
    return GoogleIssuer()


@pytest.fixture
def app() -> Iterator[App]:
    with App() as standin:
        yield standin


@pytest.fixture
def front(app: App, issuer: GoogleIssuer) -> Iterator[CloudRunFrontEnd]:
    with cloud_run_frontend(app.url, issuer, invokers=(PUSH_ACCOUNT, DEPLOYER)) as proxy:
        yield proxy


def push(
    front: CloudRunFrontEnd, headers: dict[str, str], body: bytes = b"{}"
) -> requests.Response:
    return requests.post(f"{front.url}/pubsub/push", data=body, headers=headers, timeout=30)


def signature(authorization: str) -> str:
    return authorization.rpartition(".")[2]


def test_a_valid_token_reaches_the_app_with_its_signature_removed(
    front: CloudRunFrontEnd, app: App
) -> None:
    sent = front.bearer(PUSH_ACCOUNT)
    response = push(front, {"Authorization": sent})
    assert response.status_code == 204  # the app's own answer, relayed
    [arrived] = app.requests
    assert signature(arrived.headers["authorization"]) == "SIGNATURE_REMOVED_BY_GOOGLE"
    assert arrived.headers["authorization"].rpartition(".")[0] == sent.rpartition(".")[0]
    assert arrived.body == b"{}"


def test_the_audience_may_carry_a_trailing_slash(front: CloudRunFrontEnd, app: App) -> None:
    token = front.issuer.mint(front.url + "/")
    assert push(front, {"Authorization": f"Bearer {token}"}).status_code == 204
    assert len(app.requests) == 1


def test_no_token_is_googles_403_page_and_never_reaches_the_app(
    front: CloudRunFrontEnd, app: App
) -> None:
    response = push(front, {})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>403 Forbidden</title>" in response.text
    assert "permission to get URL <code>/pubsub/push</code> from this server" in response.text
    assert app.requests == []


def altered(token: str) -> str:
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = PUSH_ACCOUNT
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{sig}"


NOW = int(time.time())
INVALID = {
    "wrong-audience": lambda f: f.bearer(PUSH_ACCOUNT, aud="https://other.a.run.app"),
    "no-audience": lambda f: f.bearer(PUSH_ACCOUNT, aud=None),
    "expired": lambda f: f.bearer(PUSH_ACCOUNT, iat=NOW - 7200, exp=NOW - 3600),
    "issued-in-the-future": lambda f: f.bearer(PUSH_ACCOUNT, iat=NOW + 3600, exp=NOW + 7200),
    "wrong-issuer": lambda f: f.bearer(PUSH_ACCOUNT, iss="https://evil.example.com"),
    "other-key": lambda f: f"Bearer {GoogleIssuer().mint(f.url)}",
    "other-key-same-kid": lambda f: f"Bearer {GoogleIssuer(kid=f.issuer.kid).mint(f.url)}",
    "altered-payload": lambda f: f"Bearer {altered(f.issuer.mint(f.url, 'x@evil.com'))}",
    "already-stripped": lambda f: (
        "Bearer "
        + f.bearer(PUSH_ACCOUNT).split()[1].rsplit(".", 1)[0]
        + ".SIGNATURE_REMOVED_BY_GOOGLE"
    ),
    "garbage": lambda f: "Bearer not-a-jwt",
    "empty-bearer": lambda f: "Bearer ",
    "basic-scheme": lambda f: "Basic dXNlcjpwYXNz",
}


@pytest.mark.parametrize("make", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_token_is_googles_401_page(front: CloudRunFrontEnd, app: App, make: Any) -> None:
    response = push(front, {"Authorization": make(front)})
    assert response.status_code == 401
    assert "<title>401 Unauthorized</title>" in response.text
    assert "permission to the requested URL <code>/pubsub/push</code>" in response.text
    assert app.requests == []


def test_a_genuine_token_of_an_account_without_the_invoker_role_is_403(
    front: CloudRunFrontEnd, app: App
) -> None:
    response = push(front, {"Authorization": front.bearer("someone@other.iam.gserviceaccount.com")})
    assert response.status_code == 403
    assert "<title>403 Forbidden</title>" in response.text
    assert app.requests == []


def test_iam_does_not_look_at_email_verified_the_app_must(
    front: CloudRunFrontEnd, app: App
) -> None:
    assert push(front, {"Authorization": front.bearer(PUSH_ACCOUNT, email_verified=False)}).ok
    assert len(app.requests) == 1


def test_x_serverless_authorization_is_checked_first_and_authorization_passes_untouched(
    front: CloudRunFrontEnd, app: App
) -> None:
    own = "Bearer the-apps-own-credential"
    response = push(
        front, {"X-Serverless-Authorization": front.bearer(DEPLOYER), "Authorization": own}
    )
    assert response.status_code == 204
    [arrived] = app.requests
    assert signature(arrived.headers["x-serverless-authorization"]) == "SIGNATURE_REMOVED_BY_GOOGLE"
    assert arrived.headers["authorization"] == own


def test_a_bad_x_serverless_authorization_is_401_even_beside_a_good_authorization(
    front: CloudRunFrontEnd, app: App
) -> None:
    headers = {
        "X-Serverless-Authorization": "Bearer junk",
        "Authorization": front.bearer(PUSH_ACCOUNT),
    }
    assert push(front, headers).status_code == 401
    assert app.requests == []


TRACE = re.compile(r"^([0-9a-f]{32})/(\d+);o=1$")


def test_the_front_end_adds_forwarding_and_trace_headers(front: CloudRunFrontEnd, app: App) -> None:
    push(front, {"Authorization": front.bearer(PUSH_ACCOUNT), "X-Forwarded-For": "203.0.113.7"})
    [arrived] = app.requests
    assert arrived.headers["x-forwarded-for"] == "203.0.113.7,127.0.0.1"
    assert arrived.headers["x-forwarded-proto"] == "https"
    trace = TRACE.match(arrived.headers["x-cloud-trace-context"])
    assert trace, arrived.headers["x-cloud-trace-context"]
    assert arrived.headers["traceparent"] == f"00-{trace[1]}-{int(trace[2]):016x}-01"


def test_a_callers_trace_context_is_kept(front: CloudRunFrontEnd, app: App) -> None:
    context = "105445aa7843bc8bf206b12000100000/1;o=1"
    push(front, {"Authorization": front.bearer(PUSH_ACCOUNT), "X-Cloud-Trace-Context": context})
    assert app.requests[0].headers["x-cloud-trace-context"] == context


def test_hop_by_hop_headers_stop_at_the_front_end(front: CloudRunFrontEnd, app: App) -> None:
    connection = http.client.HTTPConnection(front.url.removeprefix("http://"), timeout=30)
    connection.request(
        "POST",
        "/pubsub/push",
        body=b"{}",
        headers={
            "Authorization": front.bearer(PUSH_ACCOUNT),
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "only for the next hop",
            "Keep-Alive": "timeout=5",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "TE": "trailers",
            "X-End-To-End": "kept",
        },
    )
    assert connection.getresponse().status == 204
    connection.close()
    arrived = app.requests[0].headers
    for name in ("x-hop", "keep-alive", "proxy-authorization", "te"):
        assert name not in arrived
    assert arrived["x-end-to-end"] == "kept"


def test_a_request_over_32_mib_is_googles_413_before_any_token_check(
    front: CloudRunFrontEnd, app: App
) -> None:
    response = push(front, {}, body=b"x" * (MAX_HTTP1_REQUEST + 1))
    assert response.status_code == 413
    assert "<title>413 Request Entity Too Large</title>" in response.text
    assert app.requests == []


def test_a_chunked_body_over_the_limit_is_413_too(app: App, issuer: GoogleIssuer) -> None:
    with cloud_run_frontend(app.url, issuer, max_request_bytes=1000) as small:
        chunks = iter([b"x" * 600, b"y" * 600])
        response = requests.post(
            f"{small.url}/pubsub/push",
            data=chunks,
            headers={"Authorization": small.bearer(PUSH_ACCOUNT)},
            timeout=30,
        )
        assert response.status_code == 413
        under = requests.post(
            f"{small.url}/pubsub/push",
            data=iter([b"x" * 400, b"y" * 400]),
            headers={"Authorization": small.bearer(PUSH_ACCOUNT)},
            timeout=30,
        )
    assert under.status_code == 204
    assert [r.body for r in app.requests] == [b"x" * 400 + b"y" * 400]


def test_test_mode_signs_a_tokenless_push_as_pubsub_would(app: App, issuer: GoogleIssuer) -> None:
    with cloud_run_frontend(app.url, issuer, push_account=PUSH_ACCOUNT) as front:
        assert push(front, {}).status_code == 204
        wrong = push(front, {"Authorization": front.bearer(PUSH_ACCOUNT, aud="https://x")})
        [exchange, refused] = front.exchanges
    claims = decode(app.requests[0].headers["authorization"])
    assert claims["email"] == PUSH_ACCOUNT and claims["aud"] == front.url
    assert claims["email_verified"] is True and claims["exp"] - claims["iat"] == 3600
    assert "authorization" not in {k.lower() for k in exchange.received.headers}
    assert wrong.status_code == 401 and refused.forwarded is None


def decode(authorization: str) -> dict[str, Any]:
    payload = authorization.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_apps_own_refusal_is_relayed_as_the_app_wrote_it(issuer: GoogleIssuer) -> None:
    class Refusing(HttpStandIn):
        def respond(self, request: Recorded) -> Reply:
            return Reply(403, {"error": "token is not from the push service account"})

    with Refusing() as refusing, cloud_run_frontend(refusing.url, issuer) as front:
        response = push(front, {"Authorization": front.bearer(PUSH_ACCOUNT)})
    assert response.status_code == 403
    assert response.json() == {"error": "token is not from the push service account"}


def test_an_unreachable_app_is_503(issuer: GoogleIssuer) -> None:
    with cloud_run_frontend("http://127.0.0.1:9", issuer) as front:
        assert push(front, {"Authorization": front.bearer(PUSH_ACCOUNT)}).status_code == 503
