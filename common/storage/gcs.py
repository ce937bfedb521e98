"""Cloud Storage adapter: the storage port over google-cloud-storage.

Assumes the buckets exist (Terraform creates them). Permissions (terraform/iam.tf):
the worker's service account needs storage.objectUser on the delivery bucket
and objectViewer on the originals; the service's needs objectUser on the
delivery bucket (download counts) and iam.serviceAccountTokenCreator on
itself, because on Cloud Run there is no key file and V4 URLs are signed
through IAM signBlob with the default credentials' access token
(common/storage/signing.py: without that grant signing raises
SigningNotPermitted, logged once, which the download route answers with 503).

Names: every method passes its bucket and object name through the port's
check_name (GCS's naming rules and more, common/storage/_port.py) before the
client is called, so an unsafe name is InvalidName, which no retry fixes, and
never a request.

Retries: the client retries 429, 5xx and connection errors itself with
exponential backoff; we bound it with a deadline. Reads, lists, deletes and
conditional writes are retried; an unconditional write is not (the library's
own policy: a retried overwrite could clobber a newer one), so it fails fast
with TransientStorageError and the caller's redelivery retries it. A retried
create-only write whose first attempt landed answers 412: callers treat
PreconditionFailed as "someone, maybe us, got there first" and re-read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import BinaryIO

import google.auth.credentials
import google.auth.exceptions
import requests
from google.api_core import exceptions as api
from google.api_core.retry import Retry
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from common.storage._disposition import attachment
from common.storage._port import (
    Blob,
    NotFound,
    PreconditionFailed,
    StorageError,
    TransientStorageError,
    check_name,
    listable,
)
from common.storage.signing import SigningIdentity

__all__ = ["GcsStorage", "SigningIdentity", "build_gcs_storage"]
_READ_ATTEMPTS = 3
UPLOAD_CHUNK = 8 * 1024 * 1024  # a multiple of 256 KiB, as resumable uploads require


class GcsStorage:
    def __init__(
        self,
        client: storage.Client,
        *,
        signing: SigningIdentity | None,
        deadline: float = 30.0,
        timeout: float = 60.0,
        initial_backoff: float = 1.0,
    ) -> None:
        self._client = client
        self._signing = signing
        self._timeout = timeout
        self._retry: Retry = DEFAULT_RETRY.with_timeout(deadline).with_delay(
            initial=initial_backoff, maximum=max(initial_backoff, 8.0)
        )

    def read(self, bucket: str, name: str) -> Blob:
        check_name(bucket, name)
        # Metadata first, then the bytes of that generation: the emulator sends no
        # x-goog-generation header, and a replacement in between answers 412.
        for _ in range(_READ_ATTEMPTS):
            with _translated(bucket, name):
                meta = self._client.bucket(bucket).get_blob(
                    name, retry=self._retry, timeout=self._timeout
                )
                if meta is None:
                    raise NotFound(f"{bucket}/{name}")
                generation = int(meta.generation)  # the download may overwrite it with None
                try:
                    data = meta.download_as_bytes(
                        if_generation_match=generation,
                        retry=self._retry,
                        timeout=self._timeout,
                    )
                except api.PreconditionFailed:
                    continue
                return Blob(data=data, generation=generation)
        raise TransientStorageError(f"{bucket}/{name}: kept changing while being read")

    def generation(self, bucket: str, name: str) -> int:
        check_name(bucket, name)
        with _translated(bucket, name):
            meta = self._client.bucket(bucket).get_blob(
                name, retry=self._retry, timeout=self._timeout
            )
        if meta is None:
            raise NotFound(f"{bucket}/{name}")
        return int(meta.generation)

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        check_name(bucket, name)
        blob = self._client.bucket(bucket).blob(name)
        with _translated(bucket, name):
            blob.upload_from_string(
                data,
                content_type=content_type,
                if_generation_match=if_generation_match,
                retry=self._retry if if_generation_match is not None else None,
                timeout=self._timeout,
            )
        return int(blob.generation)

    def write_from(
        self,
        bucket: str,
        name: str,
        produce: Callable[[BinaryIO], object],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        check_name(bucket, name)
        # A resumable upload in chunks: memory stays at one chunk whatever the copy's size,
        # and each chunk may be retried (the session remembers what arrived).
        blob = self._client.bucket(bucket).blob(name, chunk_size=UPLOAD_CHUNK)
        with _translated(bucket, name):
            with blob.open(
                "wb", content_type=content_type, retry=self._retry, timeout=self._timeout
            ) as out:
                produce(out)
            blob.reload(retry=self._retry, timeout=self._timeout)
        return int(blob.generation)

    def delete(self, bucket: str, name: str) -> None:
        check_name(bucket, name)
        try:
            with _translated(bucket, name):
                self._client.bucket(bucket).blob(name).delete(
                    retry=self._retry, timeout=self._timeout
                )
        except NotFound:
            pass

    def list(self, bucket: str, prefix: str) -> list[str]:
        if not listable(bucket, prefix):
            return []
        with _translated(bucket, prefix + "*"):
            blobs = self._client.list_blobs(
                bucket, prefix=prefix, retry=self._retry, timeout=self._timeout
            )
            return sorted(b.name for b in blobs)

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        check_name(bucket, name)
        blob = self._client.bucket(bucket).blob(name)
        try:
            signing = self._signing.signing_kwargs() if self._signing else {}
            return blob.generate_signed_url(
                version="v4",
                expiration=timedelta(seconds=ttl),
                method="GET",
                response_disposition=attachment(filename),
                **signing,
            )
        except google.auth.exceptions.TransportError as exc:
            raise TransientStorageError(f"signing {bucket}/{name}: {exc}") from exc
        except (AttributeError, google.auth.exceptions.GoogleAuthError) as exc:
            # AttributeError is how the client says "these credentials cannot sign".
            raise StorageError(f"cannot sign {bucket}/{name}: {exc}") from exc


def build_gcs_storage(
    project: str,
    signing_service_account: str,
    *,
    endpoint: str | None = None,
) -> GcsStorage:
    """A GcsStorage for the project; STORAGE_EMULATOR_HOST (read by the client) or
    an explicit endpoint selects an emulator, with anonymous credentials there."""
    if endpoint:
        client = storage.Client(
            project=project or "test",
            credentials=google.auth.credentials.AnonymousCredentials(),
            client_options={"api_endpoint": endpoint},
        )
    else:
        client = storage.Client(project=project) if project else storage.Client()
    if endpoint:  # an emulator has no IAM: sign only with an identity named explicitly
        signing = SigningIdentity(signing_service_account) if signing_service_account else None
    else:  # built lazily: the default credentials are loaded on the first signed URL
        signing = SigningIdentity(signing_service_account or None)
    return GcsStorage(client, signing=signing)


@contextmanager
def _translated(bucket: str, name: str) -> Iterator[None]:
    """Map the client's exceptions onto the port's small hierarchy."""
    what = f"{bucket}/{name}"
    try:
        yield
    except api.NotFound:
        raise NotFound(what) from None
    except api.PreconditionFailed:
        raise PreconditionFailed(what) from None
    except (
        api.RetryError,
        api.TooManyRequests,
        api.ServerError,
        requests.RequestException,
        ConnectionError,
        google.auth.exceptions.TransportError,
    ) as exc:
        raise TransientStorageError(f"{what}: {exc}") from exc
    except api.GoogleAPICallError as exc:
        raise StorageError(f"{what}: {exc}") from exc
