"""Download counts: how often each file of an order was handed out, one object per file.

`downloads/<order id>/<file index>` in the delivery bucket holds the count as
decimal text. Only the service counts, by compare-and-swap on the object's
generation, so concurrent clicks each count once and the order record
(written by the worker alone) never has to merge them back. The worker only
deletes a count, when a new edition replaces the file: the buyer it mails
about the new edition gets the downloads of a new copy, not the old one's
leftovers. A click racing that delete fails its compare-and-swap and counts
again from zero.
"""

from __future__ import annotations

from common.storage import NotFound, PreconditionFailed, Storage


class CountContended(Exception):
    """Too many clicks at once; a moment later the same click will count."""


def count_name(order_id: str, index: int) -> str:
    return f"downloads/{order_id}/{index}"


def read_count(storage: Storage, bucket: str, order_id: str, index: int) -> tuple[int, int]:
    """The count and its generation; (0, 0) before the first download."""
    try:
        blob = storage.read(bucket, count_name(order_id, index))
    except NotFound:
        return 0, 0
    try:
        return int(blob.data.decode("ascii").strip() or 0), blob.generation
    except (UnicodeDecodeError, ValueError):
        return 0, blob.generation  # a mangled count is treated as unused, never as a lock-out


def read_counts(storage: Storage, bucket: str, order_id: str, files: int) -> tuple[int, ...]:
    """Every file's count, in file order."""
    return tuple(read_count(storage, bucket, order_id, n)[0] for n in range(files))


def reset_count(storage: Storage, bucket: str, order_id: str, index: int) -> None:
    """Start a file's count again from zero (a new edition of it was delivered)."""
    storage.delete(bucket, count_name(order_id, index))


def count_download(
    storage: Storage, bucket: str, order_id: str, index: int, *, limit: int, attempts: int = 8
) -> int | None:
    """Add one download unless `limit` (0: none) is reached; the new count, or None if over."""
    for _ in range(attempts):
        count, generation = read_count(storage, bucket, order_id, index)
        if limit and count >= limit:
            return None
        try:
            storage.write(
                bucket,
                count_name(order_id, index),
                str(count + 1).encode(),
                content_type="text/plain",
                if_generation_match=generation,
            )
        except PreconditionFailed:
            continue
        return count + 1
    raise CountContended(f"downloads of {order_id}/{index} kept changing")
