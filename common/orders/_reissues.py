"""Re-issues: which edition of a product an order already has, in objects beside the records.

An edition is the set of generations of a product's originals; its name is a
short digest of them (`edition_name`), so uploading any corrected file makes a
new edition and re-running for the same files names the same one. Per order
and edition, in the delivery bucket:

    reissues/<slug>/<edition>/claims/<order id>   the worker is mailing it (JSON: claimed_at)
    reissues/<slug>/<edition>/done/<order id>     finished: what happened (mailed, or why not)
    reissues/<slug>/<edition>/failed/<order id>   a permanent failure (JSON: request id, reason)

Only the worker writes them: `done/` create-only, so an order is mailed once
per edition whatever is redelivered or run again; the console lists `done/`
and `failed/` to draw its progress and to resume an interrupted run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common.storage import NotFound, Storage

ROOT = "reissues/"


def edition_name(generations: Mapping[str, int]) -> str:
    """A short, stable name for these originals at these generations."""
    text = "\n".join(f"{source}={generations[source]}" for source in sorted(generations))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def reissues_prefix(product: str) -> str:
    """Every edition's markers of one product."""
    return f"{ROOT}{product}/"


def edition_prefix(product: str, edition: str) -> str:
    return f"{ROOT}{product}/{edition}/"


def claim_name(product: str, edition: str, order_id: str) -> str:
    return f"{edition_prefix(product, edition)}claims/{order_id}"


def done_name(product: str, edition: str, order_id: str) -> str:
    return f"{edition_prefix(product, edition)}done/{order_id}"


def failed_name(product: str, edition: str, order_id: str) -> str:
    return f"{edition_prefix(product, edition)}failed/{order_id}"


@dataclass(frozen=True)
class Progress:
    done: frozenset[str]
    failed: dict[str, str]  # order id -> reason, failures of this request that are not done


def read_progress(
    storage: Storage, bucket: str, product: str, edition: str, request_id: str
) -> Progress:
    """Which orders of this edition are done, and which failed during this request."""
    prefix = edition_prefix(product, edition)
    done = frozenset(
        n.removeprefix(f"{prefix}done/") for n in storage.list(bucket, f"{prefix}done/")
    )
    failed: dict[str, str] = {}
    for name in storage.list(bucket, f"{prefix}failed/"):
        order_id = name.removeprefix(f"{prefix}failed/")
        if order_id in done:
            continue
        note = read_json(storage, bucket, name)
        if note.get("request_id") == request_id:
            failed[order_id] = str(note.get("reason", ""))
    return Progress(done=done, failed=failed)


def read_json(storage: Storage, bucket: str, name: str) -> dict[str, Any]:
    """A marker's JSON body; {} when it is missing or not JSON (a marker is a hint)."""
    try:
        body = json.loads(storage.read(bucket, name).data)
    except (NotFound, ValueError):
        return {}
    return body if isinstance(body, dict) else {}
