"""Embedded storage: a folder on disk that honours the same preconditions as GCS.

Object NAME of bucket B lives at ROOT/B/NAME, so an author drops originals
there by hand. Generations live beside the data under ROOT/.generations and
change under an exclusive file lock, so several processes (service, worker,
gunicorn threads) see one compare-and-swap order. A file dropped or replaced
by hand after its last write counts as the generation of its modification
time (ns), so a new version of a book is seen as new (the worker caches
originals by generation).

Signed URLs point at the service's /_local route and carry an HMAC
(common/storage/_hmac_urls.py), standing in for V4 signatures so the download
path works the same way on a laptop.
Names come from the order records, but the route is public: every call
first passes its bucket and name through the port's check (check_name: GCS's
naming rules and no `..` segment, see common/storage/_port.py) and is refused
with InvalidName before a file is touched; a name that still resolves outside
its bucket (a symbolic link) is a StorageError too, never an OSError.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from common.storage._hmac_urls import HmacUrls
from common.storage._port import (
    Blob,
    NotFound,
    PreconditionFailed,
    StorageError,
    check_name,
    listable,
)


class LocalStorage:
    def __init__(self, root: Path, *, public_url: str, signing_key: bytes) -> None:
        self.root = root
        self._urls = HmacUrls(public_url, signing_key)
        (root / ".generations").mkdir(parents=True, exist_ok=True)

    def read(self, bucket: str, name: str) -> Blob:
        path = self._path(bucket, name)
        with self._locked():
            try:
                data = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                raise NotFound(f"{bucket}/{name}") from None
            return Blob(data=data, generation=self._generation(bucket, name))

    def generation(self, bucket: str, name: str) -> int:
        path = self._path(bucket, name)
        with self._locked():
            if not path.is_file():
                raise NotFound(f"{bucket}/{name}")
            return self._generation(bucket, name)

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        path = self._path(bucket, name)
        with self._locked():
            current = self._generation(bucket, name) if path.exists() else 0
            if if_generation_match is not None and if_generation_match != current:
                raise PreconditionFailed(
                    f"{bucket}/{name}: generation {current}, expected {if_generation_match}"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            return self._record_generation(bucket, name, current)

    def _record_generation(self, bucket: str, name: str, current: int) -> int:
        """Give the object just written a new generation; under the lock."""
        generation = max(current + 1, time.time_ns())
        gen_path = self._gen_path(bucket, name)
        gen_path.parent.mkdir(parents=True, exist_ok=True)
        gen_path.write_text(str(generation))
        return generation

    def write_from(
        self,
        bucket: str,
        name: str,
        produce: Callable[[BinaryIO], object],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        path = self._path(bucket, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with tmp.open("wb") as out:  # written outside the lock: a big copy blocks nobody
                produce(out)
            with self._locked():
                current = self._generation(bucket, name) if path.exists() else 0
                os.replace(tmp, path)
                return self._record_generation(bucket, name, current)
        finally:
            tmp.unlink(missing_ok=True)

    def delete(self, bucket: str, name: str) -> None:
        path = self._path(bucket, name)
        with self._locked():
            path.unlink(missing_ok=True)
            self._gen_path(bucket, name).unlink(missing_ok=True)

    def list(self, bucket: str, prefix: str) -> list[str]:
        # Walk only the folders that can hold a match, starting at the deepest one the
        # prefix names: an index prefix (customers/<hash>/) reads one small folder, not
        # the whole bucket, which is what keeps `exlibris orders --email` fast.
        if not listable(bucket, prefix):
            return []
        base = (self.root / bucket).resolve()
        start = (base / prefix.rpartition("/")[0]).resolve()
        if not start.is_relative_to(base) or not start.is_dir():
            return []
        names: list[str] = []
        for path, dirs, files in os.walk(start):
            here = Path(path).relative_to(base).as_posix()
            here = "" if here == "." else f"{here}/"
            dirs[:] = [d for d in dirs if _may_hold(f"{here}{d}/", prefix)]
            names += (f"{here}{f}" for f in files if f"{here}{f}".startswith(prefix))
        return sorted(n for n in names if not _is_temp(n))

    def signed_url(self, bucket: str, name: str, *, ttl: int, filename: str) -> str:
        check_name(bucket, name)
        return self._urls.sign(bucket, name, ttl=ttl, filename=filename)

    def check_signed(self, bucket: str, name: str, expires: str, filename: str, sig: str) -> bool:
        """True when a /_local URL was signed by us and has not expired."""
        return self._urls.check(bucket, name, expires, filename, sig)

    def _path(self, bucket: str, name: str) -> Path:
        """Where the object lives; every method starts here, so the name is checked first."""
        check_name(bucket, name)
        path = (self.root / bucket / name).resolve()
        if not path.is_relative_to((self.root / bucket).resolve()):
            raise StorageError(f"object name escapes its bucket: {name!r}")
        return path

    def _gen_path(self, bucket: str, name: str) -> Path:
        return self.root / ".generations" / bucket / name

    def _generation(self, bucket: str, name: str) -> int:
        """The recorded generation, unless the file was replaced by hand since: its mtime."""
        gen_path = self._gen_path(bucket, name)
        try:
            changed = self._path(bucket, name).stat().st_mtime_ns
        except FileNotFoundError:
            changed = 1
        try:
            if changed > gen_path.stat().st_mtime_ns:
                return changed
            return int(gen_path.read_text())
        except (FileNotFoundError, ValueError):
            return changed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.root / ".generations" / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _may_hold(folder: str, prefix: str) -> bool:
    """Whether names under folder (ending in /) can start with prefix."""
    return folder.startswith(prefix) or prefix.startswith(folder)


def _is_temp(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") and base.endswith(".tmp")
