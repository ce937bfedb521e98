"""Pub/Sub push authentication: only an OIDC token for our audience and push account gets in.

Tokens are minted here with a throw-away RSA key and signed by google-auth
itself. The worker's PushVerifier fetches "Google's" certificates over HTTP
from a local server on 127.0.0.1 that stands in for
https://www.googleapis.com/oauth2/v1/certs: its requests.Session routes that
URL to the stand-in through a transport adapter. Nothing of ours is mocked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient
from google.auth import crypt, jwt
from google.auth.transport.requests import Request

from common.messages import OrderRevoked, push_envelope
from common.settings import Settings
from tests.support.google_identity import new_key, private_pem, self_signed_pem
from tests.support.http_standin import ToLocal
from worker.app import create_app
from worker.push_auth import PushVerifier

AUDIENCE = "https://worker-abc-ew.a.run.app"
PUSH_ACCOUNT = "pubsub-push@exlibris.iam.gserviceaccount.com"
GOOGLE_CERTS = "https://www.googleapis.com/oauth2/v1/certs"
KID = "test-key-1"


@pytest.fixture(scope="module")
def google_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def certs_server(google_key: rsa.RSAPrivateKey) -> Iterator[tuple[str, list[str]]]:
    """A local stand-in of Google's certificate endpoint; (base URL, paths requested)."""
    body = json.dumps({KID: self_signed_pem(google_key)}).encode()
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


@pytest.fixture
def google_request(certs_server: tuple[str, list[str]]) -> Request:
    session = requests.Session()
    session.mount("https://www.googleapis.com/", ToLocal(certs_server[0]))
    return Request(session)


def mint(key: rsa.RSAPrivateKey, kid: str = KID, **changes: Any) -> str:
    """An ID token as Pub/Sub's push would carry it; a change of None drops the claim."""
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": AUDIENCE,
        "sub": "1234567890",
        "email": PUSH_ACCOUNT,
        "email_verified": True,
        "iat": now - 5,
        "exp": now + 600,
    } | changes
    signer = crypt.RSASigner.from_string(private_pem(key), key_id=kid)
    payload = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(signer, payload).decode()


@pytest.fixture
def client(settings: Settings, google_request: Request) -> FlaskClient:
    verifier = PushVerifier(AUDIENCE, PUSH_ACCOUNT, request=google_request)
    return create_app(settings, verify_push=verifier).test_client()


def post(client: FlaskClient, authorization: str | None):
    refund = OrderRevoked("txn_1", "evt_1", "2025-01-01T00:00:00Z", "refund")
    headers = {"Authorization": authorization} if authorization is not None else {}
    body = push_envelope(refund, "m-1", "projects/p/subscriptions/orders-push")
    return client.post("/pubsub/push", json=body, headers=headers)


def handled(settings: Settings) -> bool:
    """The message reached its use case: the revocation wrote the order record."""
    store = settings.local_data_dir / "storage" / settings.delivery_bucket
    return (store / "orders" / "txn_1.json").exists()


def test_a_valid_token_is_let_through(
    client: FlaskClient,
    settings: Settings,
    google_key: rsa.RSAPrivateKey,
    certs_server: tuple[str, list[str]],
) -> None:
    response = post(client, f"Bearer {mint(google_key)}")
    assert response.status_code == 204
    assert handled(settings)
    assert "/oauth2/v1/certs" in certs_server[1]  # the certificates came from the stand-in


def test_the_certificates_are_fetched_once_for_many_pushes(
    client: FlaskClient, google_key: rsa.RSAPrivateKey, certs_server: tuple[str, list[str]]
) -> None:
    before = len(certs_server[1])
    for _ in range(3):
        assert post(client, f"Bearer {mint(google_key)}").status_code == 204
    assert len(certs_server[1]) - before == 1


def test_a_verifier_without_audience_or_account_is_refused() -> None:
    """Any Google account can mint a token for any audience: both checks are mandatory."""
    with pytest.raises(ValueError, match="audience"):
        PushVerifier("", PUSH_ACCOUNT)
    with pytest.raises(ValueError, match="account"):
        PushVerifier(AUDIENCE, "")


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing bearer token"),
        ("", "missing bearer token"),
        ("Bearer", "missing bearer token"),
        ("Bearer ", "missing bearer token"),
        ("Basic dXNlcjpwYXNz", "missing bearer token"),
        ("Bearer not-a-jwt", "invalid token"),
        ("Bearer a.b.c", "invalid token"),
    ],
    ids=["no-header", "empty", "scheme-only", "empty-token", "basic", "garbage", "three-parts"],
)
def test_a_missing_or_malformed_header_is_401(
    client: FlaskClient, settings: Settings, authorization: str | None, reason: str
) -> None:
    response = post(client, authorization)
    assert response.status_code == 401
    assert reason in response.json["error"]
    assert not handled(settings)


WRONG_CLAIMS = [
    ({"aud": "https://someone-elses-worker.a.run.app"}, 401, "invalid token"),
    ({"aud": None}, 401, "invalid token"),
    ({"email": "attacker@evil.iam.gserviceaccount.com"}, 403, "not from the push service account"),
    ({"email": None}, 403, "not from the push service account"),
    ({"email_verified": False}, 403, "not verified"),
    ({"email_verified": None}, 403, "not verified"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, 401, "expired"),
    ({"iat": int(time.time()) + 3600}, 401, "token"),
    ({"iss": "https://evil.example.com"}, 401, "token"),
]
WRONG_IDS = [
    "wrong-audience",
    "no-audience",
    "wrong-email",
    "no-email",
    "unverified-email",
    "no-email-verified",
    "expired",
    "issued-in-the-future",
    "wrong-issuer",
]


@pytest.mark.parametrize(("changes", "status", "reason"), WRONG_CLAIMS, ids=WRONG_IDS)
def test_a_token_with_wrong_claims_is_refused(
    client: FlaskClient,
    settings: Settings,
    google_key: rsa.RSAPrivateKey,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    response = post(client, f"Bearer {mint(google_key, **changes)}")
    assert response.status_code == status
    assert reason in response.json["error"]
    assert not handled(settings)


@pytest.mark.parametrize("kid", [KID, "unknown-kid"], ids=["same-kid", "unknown-kid"])
def test_a_token_signed_by_another_key_is_401(
    client: FlaskClient, settings: Settings, kid: str
) -> None:
    response = post(client, f"Bearer {mint(new_key(), kid=kid)}")
    assert response.status_code == 401
    assert "invalid token" in response.json["error"]
    assert not handled(settings)


def test_a_token_with_an_altered_payload_is_401(
    client: FlaskClient, settings: Settings, google_key: rsa.RSAPrivateKey
) -> None:
    header, payload, signature = mint(google_key, email="other@p.iam.gserviceaccount.com").split(
        "."
    )
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = PUSH_ACCOUNT
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = post(client, f"Bearer {header}.{altered}.{signature}")
    assert response.status_code == 401
    assert "invalid token" in response.json["error"]
    assert not handled(settings)


def test_the_embedded_worker_needs_no_token(settings: Settings) -> None:
    """PUSH_AUTH=auto is off when the whole stack is embedded (local push)."""
    client = create_app(settings).test_client()
    assert post(client, None).status_code == 204
    assert handled(settings)


# --- behind Cloud Run IAM: the front end checked the signature and removed it ---


def stripped(token: str) -> str:
    """The token as Cloud Run forwards it to a private service."""
    header, payload, _ = token.split(".")
    return f"{header}.{payload}.SIGNATURE_REMOVED_BY_GOOGLE"


@pytest.fixture
def behind_iam(settings: Settings, google_request: Request) -> FlaskClient:
    verifier = PushVerifier(AUDIENCE, PUSH_ACCOUNT, mode="cloud-run", request=google_request)
    return create_app(settings, verify_push=verifier).test_client()


def test_behind_iam_a_stripped_token_with_the_right_claims_delivers(
    behind_iam: FlaskClient,
    settings: Settings,
    google_key: rsa.RSAPrivateKey,
    certs_server: tuple[str, list[str]],
) -> None:
    before = len(certs_server[1])
    assert post(behind_iam, f"Bearer {stripped(mint(google_key))}").status_code == 204
    assert handled(settings)
    assert len(certs_server[1]) == before  # nothing to verify, nothing fetched


@pytest.mark.parametrize(("changes", "status", "reason"), WRONG_CLAIMS, ids=WRONG_IDS)
def test_behind_iam_the_claims_are_still_enforced(
    behind_iam: FlaskClient,
    settings: Settings,
    google_key: rsa.RSAPrivateKey,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    response = post(behind_iam, f"Bearer {stripped(mint(google_key, **changes))}")
    assert response.status_code in (401, 403)
    if "aud" not in changes:  # the unverified path names the audience itself
        assert response.status_code == status
    assert not handled(settings)


def test_behind_iam_a_token_that_kept_its_signature_is_verified_fully(
    behind_iam: FlaskClient, settings: Settings, google_key: rsa.RSAPrivateKey
) -> None:
    assert post(behind_iam, f"Bearer {mint(new_key())}").status_code == 401
    assert not handled(settings)
    assert post(behind_iam, f"Bearer {mint(google_key)}").status_code == 204


@pytest.mark.parametrize(
    "token", ["a.b.SIGNATURE_REMOVED_BY_GOOGLE", "!!.??.SIGNATURE_REMOVED_BY_GOOGLE", "x"]
)
def test_behind_iam_a_malformed_token_is_401(behind_iam: FlaskClient, token: str) -> None:
    assert post(behind_iam, f"Bearer {token}").status_code == 401


def test_a_stripped_token_where_the_app_checks_signatures_is_401_at_once(
    client: FlaskClient,
    settings: Settings,
    google_key: rsa.RSAPrivateKey,
    certs_server: tuple[str, list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = len(certs_server[1])
    response = post(client, f"Bearer {stripped(mint(google_key))}")
    assert response.status_code == 401
    assert len(certs_server[1]) == before  # refused before any certificate fetch
    assert "PUSH_AUTH=cloud-run" in caplog.text
    assert not handled(settings)


def test_unreachable_google_certificates_are_a_503_so_pubsub_retries(
    settings: Settings, google_key: rsa.RSAPrivateKey
) -> None:
    session = requests.Session()
    session.mount("https://www.googleapis.com/", ToLocal("http://127.0.0.1:9"))
    verifier = PushVerifier(AUDIENCE, PUSH_ACCOUNT, request=Request(session))
    client = create_app(settings, verify_push=verifier).test_client()
    assert post(client, f"Bearer {mint(google_key)}").status_code == 503
    assert not handled(settings)


def test_behind_iam_the_token_cloud_run_checked_wins_over_authorization(
    behind_iam: FlaskClient, settings: Settings, google_key: rsa.RSAPrivateKey
) -> None:
    """Cloud Run checks X-Serverless-Authorization when sent and passes Authorization on
    unchecked: a forged Authorization must not make another invoker the push account."""
    refund = OrderRevoked("txn_1", "evt_1", "2025-01-01T00:00:00Z", "refund")
    body = push_envelope(refund, "m-1", "projects/p/subscriptions/orders-push")
    checked = stripped(mint(google_key, email="deployer@exlibris.iam.gserviceaccount.com"))
    forged = stripped(mint(new_key()))  # the push account's claims, never checked by IAM
    headers = {
        "X-Serverless-Authorization": f"Bearer {checked}",
        "Authorization": f"Bearer {forged}",
    }
    assert behind_iam.post("/pubsub/push", json=body, headers=headers).status_code == 403
    assert not handled(settings)
    headers["X-Serverless-Authorization"] = f"Bearer {stripped(mint(google_key))}"
    assert behind_iam.post("/pubsub/push", json=body, headers=headers).status_code == 204


@pytest.mark.parametrize(
    "times",
    [{"exp": float("nan")}, {"iat": float("nan")}, {"exp": True}, {"exp": 4e9 + 0.5}],
    ids=["exp-nan", "iat-nan", "exp-bool", "exp-fraction"],
)
def test_behind_iam_times_that_are_not_whole_seconds_are_401(
    behind_iam: FlaskClient, settings: Settings, google_key: rsa.RSAPrivateKey, times: dict
) -> None:
    response = post(behind_iam, f"Bearer {stripped(mint(google_key, **times))}")
    assert response.status_code == 401
    assert "whole-second" in response.json["error"]
    assert not handled(settings)


@pytest.mark.parametrize(
    "token",
    ["\x1b[31mPLANTED.e30.SIGNATURE_REMOVED_BY_GOOGLE", "PLANTED-\x1b[31m-segment"],
    ids=["stripped", "one-segment"],
)
def test_a_malformed_token_is_not_repeated_in_the_answer_or_the_log(
    behind_iam: FlaskClient, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = post(behind_iam, f"Bearer {token}")
    assert response.status_code == 401
    assert "PLANTED" not in response.get_data(as_text=True)
    assert "PLANTED" not in caplog.text


def test_a_push_body_larger_than_any_pubsub_message_is_413(settings: Settings) -> None:
    """A Pub/Sub message is at most 10 MB, about 13.4 MB as base64 in a push envelope."""
    client = create_app(settings).test_client()
    response = client.post(
        "/pubsub/push",
        data=b"{" + b" " * (15 * 1024 * 1024) + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    assert not handled(settings)
