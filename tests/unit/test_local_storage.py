"""The embedded storage refuses names a bucket could not hold, as a StorageError only."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.storage import LocalStorage, StorageError


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
