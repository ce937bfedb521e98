"""The storage port: objects in buckets, with generation preconditions.

Both services use it: the worker reads originals and writes copies and order
records; the service signs short-lived download URLs and counts downloads.
Generations make concurrent writers safe without a database: a write names
the generation it expects (0 means "must not exist yet") and fails with
PreconditionFailed when another writer got there first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol


class StorageError(Exception):
    """Base of storage failures."""


class NotFound(StorageError):
    """The object does not exist."""


class PreconditionFailed(StorageError):
    """The object's generation is not the one the write expected."""


class TransientStorageError(StorageError):
    """The store did not answer; a retry may succeed."""


class SigningNotPermitted(StorageError):
    """The store refused to sign a URL: a missing IAM grant, which no retry fixes."""


@dataclass(frozen=True)
class Blob:
    data: bytes
    generation: int


class Storage(Protocol):
    def read(self, bucket: str, name: str) -> Blob:
        """Return the object's bytes and generation, or raise NotFound."""
        ...

    def generation(self, bucket: str, name: str) -> int:
        """The object's current generation, without its bytes, or raise NotFound."""
        ...

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        """Store data and return the new generation; 0 as precondition means create-only."""
        ...

    def write_from(
        self,
        bucket: str,
        name: str,
        produce: Callable[[BinaryIO], object],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        """Store what `produce` writes to the file it is given, never holding it all in memory."""
        ...

    def delete(self, bucket: str, name: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...

    def list(self, bucket: str, prefix: str) -> list[str]:
        """Names of the objects under prefix, sorted."""
        ...

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        """A URL that downloads the object as an attachment for ttl seconds."""
        ...


def exists(storage: Storage, bucket: str, name: str) -> bool:
    """Whether an object is stored: a metadata read, no download."""
    try:
        storage.generation(bucket, name)
    except NotFound:
        return False
    return True
