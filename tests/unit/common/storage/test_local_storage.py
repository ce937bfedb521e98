"""The embedded storage refuses names a bucket could not hold, as a StorageError only,
and unsafe object names as InvalidName before it touches a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.storage import Blob, InvalidName, LocalStorage, StorageError
from tests.support.unsafe_names import UNSAFE_NAMES, every_call


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    storage = LocalStorage(tmp_path / "storage", public_url="http://x", signing_key=b"k")
    storage.write("exlibris-deliveries", "copies/a.pdf", b"%PDF-")
    return storage


@pytest.mark.parametrize(
    ("bucket", "name"),
    [
        ("..", "exlibris-deliveries/copies/a.pdf"),
        ("exlibris..deliveries", "a"),
        ("Exlibris", "a"),
        ("exlibris/deliveries", "a"),
        ("", "a"),
        (".", ".generations/exlibris-deliveries/copies/a.pdf"),
        (".generations", "exlibris-deliveries/copies/a.pdf"),
        ("exlibris-deliveries", "../../etc/passwd"),
        ("exlibris-deliveries", "copies/\x00.pdf"),
        ("exlibris-deliveries", ""),
        ("exlibris-deliveries", "/etc/passwd"),
    ],
    ids=[
        "dotdot-bucket",
        "dotdot-inside",
        "upper-case",
        "slash",
        "blank",
        "dot-bucket",
        "generations-bucket",
        "traversal",
        "nul",
        "blank-name",
        "absolute",
    ],
)
def test_names_outside_a_bucket_are_a_storage_error(
    store: LocalStorage, bucket: str, name: str
) -> None:
    for call in (
        lambda: store.read(bucket, name),
        lambda: store.write(bucket, name, b"x"),
        lambda: store.generation(bucket, name),
        lambda: store.delete(bucket, name),
    ):
        with pytest.raises(StorageError):
            call()


def test_a_signed_url_does_not_check_out_for_odd_query_values(store: LocalStorage) -> None:
    assert not store.check_signed("exlibris-deliveries", "copies/a.pdf", "²", "f", "0" * 64)
    assert not store.check_signed("exlibris-deliveries", "copies/a.pdf", "1", "\udc80", "x")


@pytest.mark.parametrize("name", UNSAFE_NAMES.values(), ids=UNSAFE_NAMES.keys())
def test_unsafe_object_names_are_refused_before_a_file_is_touched(
    tmp_path: Path, name: str
) -> None:
    root = tmp_path / "storage"
    store = LocalStorage(root, public_url="http://x", signing_key=b"k")
    before = sorted(root.rglob("*"))
    for call in every_call(store, "bk", name):
        with pytest.raises(InvalidName):
            call()
    assert sorted(root.rglob("*")) == before


@pytest.mark.parametrize(
    "name",
    ["a..b", "..x/.y", "copies/bök/Zoë #1 [draft].pdf", "/".join(["a" * 200] * 5) + "b" * 20],
    ids=["dots-inside", "dot-led", "unicode-and-signs", "1024-bytes"],
)
def test_names_that_only_look_odd_are_stored(store: LocalStorage, name: str) -> None:
    generation = store.write("exlibris-deliveries", name, b"x")
    assert store.read("exlibris-deliveries", name) == Blob(b"x", generation)
    assert store.list("exlibris-deliveries", name) == [name]
