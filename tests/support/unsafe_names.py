"""Object names every storage adapter must refuse with InvalidName, by the reason they are unsafe.

GCS's own rules (cloud.google.com/storage/docs/objects, "Naming considerations")
plus ours: a name is also a path on the folder adapter (common/storage/_port.py).
"""

from __future__ import annotations

from collections.abc import Callable

from common.storage import Storage

UNSAFE_NAMES = {
    "empty": "",
    "empty-segment": "copies//a.pdf",
    "trailing-slash": "customers/h/",
    "leading-slash": "/copies/a.pdf",
    "dot": "copies/./a.pdf",
    "dotdot-last": "customers/h/..",
    "dotdot-alone": "..",
    "traversal": "../../etc/passwd",
    "backslash": "copies\\..\\a.pdf",
    "nul": "copies/a\x00.pdf",
    "newline": "copies/a\n.pdf",
    "delete": "copies/a\x7f.pdf",
    "c1-control": "copies/a\x85.pdf",
    "lone-surrogate": "copies/\udc80.pdf",
    "over-1024-bytes": "copies/" + "é" * 510 + ".pdf",
    "acme-challenge": ".well-known/acme-challenge/token",
}

# Prefixes no valid name can start with: a listing under them is empty, and asks nobody.
UNLISTABLE_PREFIXES = ["../", "a/../", "a//", "/", "a\\", "a\x00"]


def every_call(storage: Storage, bucket: str, name: str) -> list[Callable[[], object]]:
    """Each method of the storage port, on one object name."""
    return [
        lambda: storage.read(bucket, name),
        lambda: storage.generation(bucket, name),
        lambda: storage.write(bucket, name, b"x"),
        lambda: storage.write(bucket, name, b"x", if_generation_match=0),
        lambda: storage.write_from(bucket, name, lambda out: out.write(b"x")),
        lambda: storage.delete(bucket, name),
        lambda: storage.signed_url(bucket, name, ttl=60, filename="a.pdf"),
    ]
