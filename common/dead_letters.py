"""Dead letters: what could not be delivered, kept for the author to act on.

A retry cannot fix these (a product missing from the catalog, an original
that needs a password, a malformed message), so they are acknowledged and
recorded here instead of being retried for days. Embedded: one JSON file per
letter in LOCAL_DATA_DIR/dead-letter/ (the local push publisher puts exhausted
deliveries there too). Cloud: `dead-letters/` in the delivery bucket, beside
the Pub/Sub dead-letter topic that catches exhausted deliveries.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Protocol

from common.contract import now_iso
from common.storage import Storage


class DeadLetters(Protocol):
    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        """Keep a letter and return where it went."""
        ...


def _letter(kind: str, key: str, reason: str, payload: dict[str, Any]) -> tuple[str, bytes]:
    safe_key = re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:80] or "unknown"
    name = f"{time.time_ns()}-{kind}-{safe_key}.json"
    body = {"kind": kind, "key": key, "reason": reason, "at": now_iso(), "payload": payload}
    return name, json.dumps(body, ensure_ascii=False, indent=1, default=str).encode()


class FolderDeadLetters:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        name, data = _letter(kind, key, reason, payload)
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return str(path)


class StorageDeadLetters:
    def __init__(self, storage: Storage, bucket: str) -> None:
        self.storage = storage
        self.bucket = bucket

    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        name, data = _letter(kind, key, reason, payload)
        self.storage.write(
            self.bucket, f"dead-letters/{name}", data, content_type="application/json"
        )
        return f"gs://{self.bucket}/dead-letters/{name}"
