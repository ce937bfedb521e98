"""A local stand-in for the IAM Credentials API's signBlob, the call Cloud Run signs URLs with.

POST /v1/projects/-/serviceAccounts/{EMAIL}:signBlob with {"payload": base64}
answers {"keyId", "signedBlob"}, the signature made with that account's own
test RSA key (PKCS#1 v1.5 over SHA-256, what V4 URLs need), as documented at
https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signBlob.
An account may sign only if it holds roles/iam.serviceAccountTokenCreator on
itself (`granted`); otherwise, and for an account that does not exist (the
`-` wildcard turns a 404 into a 403, same page), IAM answers 403
PERMISSION_DENIED "Permission 'iam.serviceAccounts.signBlob' denied on
resource (or it may not exist)." (body shape from
spatie/laravel-google-cloud-storage#63, message from gronxb/hot-updater#291).
No bearer token is 401 UNAUTHENTICATED. `tokens` records the bearer tokens used.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.support.google_identity import new_key
from tests.support.http_standin import HttpStandIn, Recorded, Reply

_PATH = re.compile(r"^/v1/projects/-/serviceAccounts/([^/:]+):signBlob$")


def google_error(code: int, status: str, message: str) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status}})


class IamCredentialsStandIn(HttpStandIn):
    def __init__(self, granted: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.granted = set(granted)
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.tokens: list[str] = []

    def key_of(self, email: str) -> rsa.RSAPrivateKey:
        return self.keys.setdefault(email, new_key())

    def respond(self, request: Recorded) -> Reply:
        match = _PATH.match(request.path)
        if request.method != "POST" or match is None:
            return google_error(404, "NOT_FOUND", f"no method {request.method} {request.path}")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
            )
        self.tokens.append(token)
        email = unquote(match[1])
        if email not in self.granted:
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Permission 'iam.serviceAccounts.signBlob' denied on resource "
                "(or it may not exist).",
            )
        payload = base64.b64decode(request.json()["payload"])
        signature = self.key_of(email).sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return Reply(
            200, {"keyId": f"key-{email}", "signedBlob": base64.b64encode(signature).decode()}
        )
