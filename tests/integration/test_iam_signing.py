"""V4 URLs signed as on Cloud Run: the real google-cloud-storage client, signing through IAM.

The storage client builds each URL itself and hands the string-to-sign to our
IamBlobSigner, which calls signBlob; the google-auth session it uses routes
https://iamcredentials.googleapis.com/ to a local stand-in
(tests/support/iam_standin.py) through a transport adapter. A missing grant
(403) is a configuration error: SigningNotPermitted, one ERROR line naming the
role and the account, and a 503 with Retry-After on the download route.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask.testing import FlaskClient
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import Request
from google.cloud import storage
from google.oauth2.credentials import Credentials as TokenCredentials

from common.logging import JsonFormatter
from common.messages import Buyer, OrderPaid, push_envelope
from common.orders import read_counts
from common.publish.local_push import LocalPushPublisher
from common.settings import Settings
from common.storage import LocalStorage, SigningNotPermitted, TransientStorageError
from common.storage.gcs import GcsStorage, SigningIdentity
from service.app import create_app as create_service
from tests.support.download_page import form_for
from tests.support.http_standin import HttpStandIn, Recorded, Reply, session_to
from tests.support.iam_standin import IamCredentialsStandIn
from worker.app import create_app as create_worker
from worker.mail._outbox import download_links, read_mail

SIGNER = "exlibris-service@exlibris-test.iam.gserviceaccount.com"
IAM = "https://iamcredentials.googleapis.com/"
ORDER = "552312-9"


@pytest.fixture
def iam() -> Iterator[IamCredentialsStandIn]:
    with IamCredentialsStandIn(granted=(SIGNER,)) as standin:
        yield standin


def gcs_signing_through(iam: HttpStandIn, credentials: object = None) -> GcsStorage:
    """The GCS adapter as Cloud Run builds it: token credentials, no key, IAM signs."""
    identity = SigningIdentity(
        SIGNER,
        credentials=credentials or TokenCredentials(token="ya29.cloud-run-token"),  # type: ignore[arg-type]
        request=Request(session_to(IAM, iam.url)),
    )
    client = storage.Client(project="exlibris-test", credentials=AnonymousCredentials())
    return GcsStorage(client, signing=identity)


def sign(gcs: GcsStorage) -> str:
    return gcs.signed_url("exlibris-deliveries", "copies/552312-7/0.pdf", ttl=600, filename="a.pdf")


def test_a_granted_account_signs_a_v4_url_through_iam(iam: IamCredentialsStandIn) -> None:
    url = sign(gcs_signing_through(iam))
    query = parse_qs(urlsplit(url).query)
    assert query["X-Goog-Algorithm"] == ["GOOG4-RSA-SHA256"]
    assert query["X-Goog-Credential"][0].startswith(f"{SIGNER}/")
    [call] = iam.requests
    assert call.path == f"/v1/projects/-/serviceAccounts/{SIGNER}:signBlob"
    assert iam.tokens == ["ya29.cloud-run-token"]
    string_to_sign = base64.b64decode(call.json()["payload"])
    assert string_to_sign.startswith(b"GOOG4-RSA-SHA256\n")
    signature = bytes.fromhex(query["X-Goog-Signature"][0])
    iam.key_of(SIGNER).public_key().verify(  # raises if the URL carries another signature
        signature, string_to_sign, padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_missing_grant_is_a_configuration_error_logged_once(
    iam: IamCredentialsStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    iam.granted.clear()
    gcs = gcs_signing_through(iam)
    for _ in range(3):
        with pytest.raises(SigningNotPermitted, match=r"roles/iam\.serviceAccountTokenCreator"):
            sign(gcs)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    line = json.loads(JsonFormatter().format(errors[0]))  # as Cloud Logging would get it
    assert "roles/iam.serviceAccountTokenCreator" in line["message"]
    assert SIGNER in line["message"] and line["service_account"] == SIGNER
    assert len(iam.requests) == 3  # each click asks again: a grant may have been added since


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_passing_iam_failure_is_transient(iam: IamCredentialsStandIn, status: int) -> None:
    iam.script(Reply(status, {"error": {"code": status, "message": "try later"}}))
    gcs = gcs_signing_through(iam)
    with pytest.raises(TransientStorageError):
        sign(gcs)
    assert "X-Goog-Signature=" in sign(gcs)  # the next click works


def test_unreachable_iam_is_transient() -> None:
    class Nowhere:
        url = "http://127.0.0.1:9"

    with pytest.raises(TransientStorageError):
        sign(gcs_signing_through(Nowhere()))  # type: ignore[arg-type]


class TokenEndpoint(HttpStandIn):
    """An OAuth token endpoint that hands out numbered access tokens."""

    def respond(self, request: Recorded) -> Reply:
        token = f"ya29.token-{len(self.requests)}"
        return Reply(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def test_the_access_token_is_fetched_once_and_used_for_every_signature(
    iam: IamCredentialsStandIn,
) -> None:
    with TokenEndpoint() as endpoint:
        credentials = TokenCredentials(
            token=None,
            refresh_token="refresh",
            token_uri=f"{endpoint.url}/token",
            client_id="client",
            client_secret="secret",
        )
        gcs = gcs_signing_through(iam, credentials)
        sign(gcs)
        sign(gcs)
    assert [r.path for r in endpoint.requests] == ["/token"]
    assert iam.tokens == ["ya29.token-1", "ya29.token-1"]


def test_signing_needs_an_email_when_the_credentials_do_not_know_theirs() -> None:
    identity = SigningIdentity(None, credentials=TokenCredentials(token="ya29.valid"))
    with pytest.raises(GoogleAuthError, match="no service account email"):
        identity.signing_kwargs()


class SignedByGcs(LocalStorage):
    """Order records on disk; download URLs signed by the real GCS adapter through IAM."""

    def __init__(self, root: Path, gcs: GcsStorage) -> None:
        super().__init__(root, public_url="http://127.0.0.1:8080", signing_key=b"unused")
        self.gcs = gcs

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        return self.gcs.signed_url(bucket, name, ttl=ttl, filename=filename)


def click(client: FlaskClient, path: str):  # type: ignore[no-untyped-def]
    """Follow a durable link as a buyer does: the download page's form, if it shows one."""
    page = client.get(path)
    if page.status_code == 200 and b"<form" in page.data:
        return client.post(path, data=form_for(page.text, path).fields)
    return page


@pytest.fixture
def link(settings: Settings, originals: Path) -> str:
    """The path of the durable link mailed for one fulfilled order."""
    worker = create_worker(settings).test_client()
    buyer = Buyer(name="Ada Lovelace", email="ada@example.com")
    message = OrderPaid(
        ORDER, ("paddle:552312",), "evt-9", "2026-01-01T00:00:00Z", "paddle", "classic", buyer
    )
    envelope = push_envelope(message, "m-9", "projects/p/subscriptions/orders-push")
    assert worker.post("/pubsub/push", json=envelope).status_code == 204
    [mail] = (settings.local_data_dir / "outbox").glob("*.eml")
    url, _epub = download_links(read_mail(mail))  # the sample product: a PDF and an EPUB
    return urlsplit(url).path


def service_signing_through(settings: Settings, iam: IamCredentialsStandIn) -> FlaskClient:
    root = settings.local_data_dir / "storage"
    app = create_service(
        settings,
        storage=SignedByGcs(root, gcs_signing_through(iam)),
        publisher=LocalPushPublisher("http://127.0.0.1:9/pubsub/push", settings.local_data_dir),
    )
    return app.test_client()


def test_without_the_grant_a_download_is_503_with_retry_after_and_costs_nothing(
    settings: Settings, link: str, iam: IamCredentialsStandIn
) -> None:
    iam.granted.clear()
    client = service_signing_through(settings, iam)
    for _ in range(2):
        response = click(client, link)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
    store = LocalStorage(settings.local_data_dir / "storage", public_url="", signing_key=b"-")
    assert read_counts(store, settings.delivery_bucket, ORDER, 1) == (0,)
    iam.granted.add(SIGNER)  # the operator adds the grant: the same link now works
    response = click(client, link)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://storage.googleapis.com/")
    assert read_counts(store, settings.delivery_bucket, ORDER, 1) == (1,)
