"""A local stand-in for Secret Manager's REST API: add a version to an existing secret.

POST /v1/projects/{project}/secrets/{secret}:addVersion with the body
{"payload": {"data": <base64>, "dataCrc32c": "<int64 as a string>"}} answers
a SecretVersion (cloud.google.com/secret-manager/docs/reference/rest/v1/
projects.secrets/addVersion): name `projects/<project number>/secrets/<id>/
versions/<n>` (answers name the project by number, as in
googleapis/nodejs-secret-manager#74), createTime, state, etag. What it also
imitates: a secret that does not exist is 404 NOT_FOUND (Terraform creates
secrets, never their values); data over 64 KiB or a dataCrc32c that does not
match the data is 400 INVALID_ARGUMENT (SecretPayload: "will verify the
integrity of the received data"); errors in Google's JSON shape
{"error": {"code", "message", "status"}}. The client asks for enums as ints
(`$alt=json;enum-encoding=int`), so `state` is 1 (ENABLED).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re

import google_crc32c

from tests.support.http_standin import HttpStandIn, Recorded, Reply

PROJECT_NUMBER = "123456789012"
_ADD = re.compile(r"^/v1/projects/(?P<project>[^/]+)/secrets/(?P<secret>[^/:]+):addVersion$")


class SecretManagerStandIn(HttpStandIn):
    def __init__(self, project: str, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.project = project
        self.versions: dict[str, list[bytes]] = {s: [] for s in secrets}
        self._etags = itertools.count(1)

    def respond(self, request: Recorded) -> Reply:
        match = _ADD.match(request.path)
        if request.method != "POST" or match is None:
            return _error(404, "NOT_FOUND", f"no route {request.method} {request.path}")
        name = f"projects/{match['project']}/secrets/{match['secret']}"
        if match["project"] != self.project or match["secret"] not in self.versions:
            return _error(404, "NOT_FOUND", f"Secret [{name}] not found or has no versions.")
        payload = (request.json() or {}).get("payload") or {}
        try:
            data = base64.b64decode(payload.get("data", ""), validate=True)
        except (binascii.Error, ValueError):
            return _error(400, "INVALID_ARGUMENT", "Invalid value at 'payload.data' (TYPE_BYTES)")
        if len(data) > 64 * 1024:
            return _error(400, "INVALID_ARGUMENT", "Secret Payload cannot be larger than 64KiB.")
        checksum = payload.get("dataCrc32c")
        if checksum is not None and int(checksum) != google_crc32c.value(data):
            return _error(400, "INVALID_ARGUMENT", "Checksum mismatch.")
        versions = self.versions[match["secret"]]
        versions.append(data)
        number_name = (
            f"projects/{PROJECT_NUMBER}/secrets/{match['secret']}/versions/{len(versions)}"
        )
        return Reply(
            200,
            {
                "name": number_name,
                "createTime": "2026-01-01T00:00:00.000000Z",
                "state": 1,
                "replicationStatus": {"automatic": {}},
                "etag": f'"{next(self._etags):016x}"',
                "clientSpecifiedPayloadChecksum": checksum is not None,
            },
        )


def _error(code: int, status: str, message: str) -> Reply:
    return Reply(code, {"error": {"code": code, "message": message, "status": status}})
