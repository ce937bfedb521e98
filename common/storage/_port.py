"""The storage port: objects in buckets, with generation preconditions.

Both services use it: the worker reads originals and writes copies and order
records; the service signs short-lived download URLs and counts downloads.
Generations make concurrent writers safe without a database: a write names
the generation it expects (0 means "must not exist yet") and fails with
PreconditionFailed when another writer got there first.
"""

from __future__ import annotations

import re
import unicodedata
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


class InvalidName(StorageError):
    """A bucket or object name that no store may be handed; no retry fixes it."""


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


# Cloud Storage's object naming requirements (cloud.google.com/storage/docs/objects,
# "Naming considerations"; formerly /storage/docs/naming-objects): 1 to 1,024 bytes of
# valid Unicode when UTF-8 encoded, no carriage return or line feed, not `.` or `..`,
# not starting with `.well-known/acme-challenge/`; control characters (#x7F-#x84,
# #x86-#x9F) are to be avoided. We refuse more, because a name is also a path on the
# folder adapter and is often made of an id from outside (`customers/<hash>/<order id>`):
# no empty, `.` or `..` segment (so no leading or trailing `/`), no backslash, no
# control character at all. Bucket names follow GCS's characters, starting and ending
# with a letter or digit (so not `.` or `.generations`, the folder adapter's own), no `..`.
MAX_NAME_BYTES = 1024
_BUCKET = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,220}[a-z0-9])?")
_ACME = ".well-known/acme-challenge/"


def check_name(bucket: str, name: str) -> None:
    """Raise InvalidName unless bucket and name are safe to hand any adapter; no I/O."""
    _check_bucket(bucket)
    problem = _name_problem(name)
    if problem:
        raise InvalidName(f"not an object name ({problem}): {name!r}")


def listable(bucket: str, prefix: str) -> bool:
    """Whether a valid object name can start with prefix ('' starts them all); no I/O."""
    # A listing under a prefix that fails this lists nothing, without asking the store.
    _check_bucket(bucket)
    # Every whole segment of the prefix must be valid; the last, cut one may still grow.
    return not prefix or _name_problem(prefix) is None or _name_problem(prefix + "x") is None


def _check_bucket(bucket: str) -> None:
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise InvalidName(f"not a bucket name: {bucket!r}")


def _name_problem(name: str) -> str | None:
    """Why name cannot be an object's name, or None when it can."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "not valid Unicode"  # a lone surrogate
    if not 0 < size <= MAX_NAME_BYTES:
        return f"1 to {MAX_NAME_BYTES} bytes"
    if "\\" in name:
        return "a backslash"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "a control character"
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        return "an empty, `.` or `..` segment"
    if name.startswith(_ACME):
        return "reserved by Cloud Storage"
    return None


def exists(storage: Storage, bucket: str, name: str) -> bool:
    """Whether an object is stored: a metadata read, no download."""
    try:
        storage.generation(bucket, name)
    except NotFound:
        return False
    return True
