"""Dead letters: what could not be delivered, kept for the author to act on.

A retry cannot fix these (a product missing from the catalog, an original
that needs a password, a malformed message), so they are acknowledged and
recorded here instead of being retried for days. Embedded: one JSON file per
letter in LOCAL_DATA_DIR/dead-letter/, and the local push publisher puts its
exhausted deliveries there too (the bare push envelope, with
`deadLetterReason`). Cloud: `dead-letters/` in the delivery bucket, beside the
Pub/Sub dead-letter subscription read by common/pubsub_dead_letters.py.

Readers turn every shape into a `Letter` the console lists and replays; a
replayed letter is archived (`replayed/` beside the others), never deleted,
except on a buyer's erasure request (`forget`: every letter about that buyer,
replayed ones too).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from common.dead_letters._format import Letter, format_letter, parse_letter
from common.storage import NotFound, Storage

_SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

__all__ = ["DeadLetterReader", "DeadLetters", "FolderDeadLetters", "Letter", "LetterNotFound"]


class LetterNotFound(LookupError):
    """No dead letter has this id."""


class DeadLetters(Protocol):
    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        """Keep a letter and return where it went."""
        ...


class DeadLetterReader(Protocol):
    def letters(self) -> list[Letter]:
        """Every letter not yet replayed, oldest first."""
        ...

    def read(self, letter_id: str) -> Letter:
        """One letter by its id; raise LetterNotFound if it is not there."""
        ...

    def archive(self, letter_id: str) -> None:
        """Set a replayed letter aside; raise LetterNotFound if it is not there."""
        ...

    def forget(self, about: Callable[[Letter], bool]) -> int:
        """Delete every letter, replayed ones too, that `about` picks; how many."""
        ...


class FolderDeadLetters:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        name, data = format_letter(kind, key, reason, payload)
        path = self.folder / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return str(path)

    def letters(self) -> list[Letter]:
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                found.append(parse_letter(path.stem, path.read_bytes()))
            except FileNotFoundError:
                continue  # replayed or moved while we looked
        return found

    def read(self, letter_id: str) -> Letter:
        try:
            return parse_letter(letter_id, self._path(letter_id).read_bytes())
        except FileNotFoundError:
            raise LetterNotFound(letter_id) from None

    def archive(self, letter_id: str) -> None:
        path = self._path(letter_id)
        if not path.is_file():
            raise LetterNotFound(letter_id)
        (self.folder / "replayed").mkdir(exist_ok=True)
        path.replace(self.folder / "replayed" / path.name)

    def forget(self, about: Callable[[Letter], bool]) -> int:
        gone = 0
        for path in sorted([*self.folder.glob("*.json"), *self.folder.glob("replayed/*.json")]):
            try:
                letter = parse_letter(path.stem, path.read_bytes())
            except FileNotFoundError:
                continue
            if about(letter):
                path.unlink(missing_ok=True)
                gone += 1
        return gone

    def _path(self, letter_id: str) -> Path:
        if not _SAFE_ID.fullmatch(letter_id):
            raise LetterNotFound(letter_id)  # an id never names a path outside the folder
        return self.folder / f"{letter_id}.json"


class StorageDeadLetters:
    def __init__(self, storage: Storage, bucket: str) -> None:
        self.storage = storage
        self.bucket = bucket

    def record(self, kind: str, key: str, reason: str, payload: dict[str, Any]) -> str:
        name, data = format_letter(kind, key, reason, payload)
        self.storage.write(
            self.bucket, f"dead-letters/{name}", data, content_type="application/json"
        )
        return f"gs://{self.bucket}/dead-letters/{name}"

    def letters(self) -> list[Letter]:
        found = []
        for name in self.storage.list(self.bucket, "dead-letters/"):
            letter_id = name.removeprefix("dead-letters/").removesuffix(".json")
            if "/" in letter_id:
                continue  # replayed/
            try:
                found.append(parse_letter(letter_id, self.storage.read(self.bucket, name).data))
            except NotFound:
                continue
        return found

    def read(self, letter_id: str) -> Letter:
        return parse_letter(letter_id, self._blob(letter_id))

    def archive(self, letter_id: str) -> None:
        data = self._blob(letter_id)
        replayed = f"dead-letters/replayed/{letter_id}.json"
        self.storage.write(self.bucket, replayed, data, content_type="application/json")
        self.storage.delete(self.bucket, f"dead-letters/{letter_id}.json")

    def forget(self, about: Callable[[Letter], bool]) -> int:
        gone = 0
        for name in self.storage.list(self.bucket, "dead-letters/"):  # replayed/ included
            letter_id = name.rsplit("/", 1)[-1].removesuffix(".json")
            try:
                letter = parse_letter(letter_id, self.storage.read(self.bucket, name).data)
            except NotFound:
                continue
            if about(letter):
                self.storage.delete(self.bucket, name)
                gone += 1
        return gone

    def _blob(self, letter_id: str) -> bytes:
        if not _SAFE_ID.fullmatch(letter_id):
            raise LetterNotFound(letter_id)
        try:
            return self.storage.read(self.bucket, f"dead-letters/{letter_id}.json").data
        except NotFound:
            raise LetterNotFound(letter_id) from None
