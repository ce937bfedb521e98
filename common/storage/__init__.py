"""The storage port: objects in buckets, with generation preconditions.

Both services use it: the worker reads originals and writes copies and order
records; the service signs short-lived download URLs and counts downloads.
Generations make concurrent writers safe without a database: a write names
the generation it expects (0 means "must not exist yet") and fails with
PreconditionFailed when another writer got there first.

Adapters: gcs.py (Cloud Storage), LocalStorage (a folder, the laptop's) and
MemoryStorage (a dict, for tests of use cases); all refuse an unsafe name
with InvalidName before any I/O.
"""

from common.storage._disposition import attachment
from common.storage._local import LocalStorage
from common.storage._memory import MemoryStorage
from common.storage._port import (
    Blob,
    InvalidName,
    NotFound,
    PreconditionFailed,
    SigningNotPermitted,
    Storage,
    StorageError,
    TransientStorageError,
    exists,
)

__all__ = [
    "Blob",
    "InvalidName",
    "LocalStorage",
    "MemoryStorage",
    "NotFound",
    "PreconditionFailed",
    "SigningNotPermitted",
    "Storage",
    "StorageError",
    "TransientStorageError",
    "attachment",
    "exists",
]
