"""Who signs V4 download URLs, and how: locally with a key, or through IAM signBlob.

On Cloud Run there is no key file: the service's account signs through the
IAM Credentials API (`projects/-/serviceAccounts/EMAIL:signBlob`), which it
may only do with roles/iam.serviceAccountTokenCreator on itself
(terraform/iam.tf; permission iam.serviceAccounts.signBlob). Without that
grant IAM answers 403 PERMISSION_DENIED "Permission 'iam.serviceAccounts.signBlob'
denied on resource (or it may not exist)" to every call, forever: a
configuration error. So the signer here tells it apart (SigningNotPermitted,
logged once at ERROR with the role and the account) from a passing failure
(429/5xx, a dropped connection: TransientStorageError). google-auth's own
iam.Signer makes the same call but raises one TransportError for every
refusal, which is why it is not used.

The signer is handed to google-cloud-storage as the signer of a
service_account.Credentials, so the client builds and signs the V4 URL as
usual. `request` is the google-auth transport for the IAM call (tests aim it
at a local stand-in); the access token comes from the default credentials
(the metadata server on Cloud Run) and is refreshed before each call when stale.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from typing import Any

import google.auth
import google.auth.credentials
import google.auth.exceptions
import google.auth.transport.requests
from google.auth import crypt
from google.oauth2 import service_account

from common.storage._port import SigningNotPermitted, StorageError, TransientStorageError

log = logging.getLogger(__name__)

SIGNING_ROLE = "roles/iam.serviceAccountTokenCreator"
_CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
_SIGN_BLOB = "https://iamcredentials.{}/v1/projects/-/serviceAccounts/{}:signBlob"
_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL the class requires, never called


class IamBlobSigner(crypt.Signer):
    """Signs bytes as `email` through IAM signBlob, with `credentials` as the caller."""

    def __init__(
        self, request: Any, credentials: google.auth.credentials.Credentials, email: str
    ) -> None:
        self._request = request
        self._credentials = credentials
        self._email = email
        self._reported = False

    @property
    def key_id(self) -> str | None:
        return None  # IAM picks one of the account's Google-managed keys

    def sign(self, message: str | bytes) -> bytes:
        url = _SIGN_BLOB.format(self._credentials.universe_domain, self._email)
        data = message.encode() if isinstance(message, str) else message
        body = json.dumps({"payload": base64.b64encode(data).decode()}).encode()
        headers = {"Content-Type": "application/json"}
        self._credentials.before_request(self._request, "POST", url, headers)
        response = self._request(url=url, method="POST", body=body, headers=headers)
        if response.status == 200:
            return base64.b64decode(json.loads(response.data)["signedBlob"])
        if response.status == 403:
            self._report_missing_grant()
            raise SigningNotPermitted(f"IAM refused to sign as {self._email}: needs {SIGNING_ROLE}")
        if response.status == 429 or response.status >= 500:
            raise TransientStorageError(f"IAM signBlob answered {response.status}")
        raise StorageError(f"IAM signBlob answered {response.status}: {response.data[:200]!r}")

    def _report_missing_grant(self) -> None:
        """One ERROR per process: each click after it would only repeat the same line."""
        if self._reported:
            return
        self._reported = True
        log.error(
            "cannot sign download URLs: %s lacks %s on itself; downloads answer 503 until "
            "it is granted (terraform/iam.tf grants it)",
            self._email,
            SIGNING_ROLE,
            extra={"missing_role": SIGNING_ROLE, "service_account": self._email},
        )


class SigningIdentity:
    """Who signs V4 URLs: a key-holding credential signs locally, any other via IAM."""

    def __init__(
        self,
        service_account_email: str | None = None,
        credentials: google.auth.credentials.Credentials | None = None,
        *,
        request: Any = None,
    ) -> None:
        self.service_account_email = service_account_email
        self._credentials = credentials  # None: the default credentials, loaded on first use
        self._request = request
        self._signing: google.auth.credentials.Signing | None = None
        self._lock = threading.Lock()

    def signing_kwargs(self) -> dict[str, Any]:
        """Arguments for Blob.generate_signed_url: credentials that can sign."""
        with self._lock:
            if self._signing is None:
                self._signing = self._signing_credentials()
            return {"credentials": self._signing}

    def _signing_credentials(self) -> google.auth.credentials.Signing:
        if self._credentials is None:
            self._credentials, _ = google.auth.default(scopes=[_CLOUD_PLATFORM])
        creds = self._credentials
        if isinstance(creds, google.auth.credentials.Signing):
            return creds
        request = self._request or google.auth.transport.requests.Request()
        if not creds.valid:  # Cloud Run's metadata credentials learn their email here
            creds.refresh(request)
        email = self.service_account_email or getattr(creds, "service_account_email", None)
        if not email or email == "default":
            raise google.auth.exceptions.GoogleAuthError("no service account email to sign as")
        return service_account.Credentials(IamBlobSigner(request, creds, email), email, _TOKEN_URI)
