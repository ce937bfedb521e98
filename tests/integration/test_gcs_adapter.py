"""GCS-only behaviour beyond the shared contract: retries through faults, and URL signing.

Signing through IAM signBlob has its own module, test_iam_signing.py.
"""

from __future__ import annotations

import time

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from common.storage import InvalidName, StorageError, TransientStorageError
from common.storage.gcs import GcsStorage, build_gcs_storage
from demo.emulators import PROJECT, StorageEmulator
from tests.support.fault_proxy import FaultProxy
from tests.support.http_standin import Reply
from tests.support.unsafe_names import UNLISTABLE_PREFIXES, UNSAFE_NAMES, every_call


@pytest.fixture
def proxy(storage_emulator: StorageEmulator):
    with FaultProxy(storage_emulator.endpoint) as running:
        yield running


def gcs_via(proxy: FaultProxy, deadline: float = 5.0) -> GcsStorage:
    client = storage.Client(
        project=PROJECT,
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": proxy.url},
    )
    return GcsStorage(client, signing=None, deadline=deadline, initial_backoff=0.01)


@pytest.mark.emulator
def test_a_503_on_read_is_retried_by_the_client(proxy, gcs_bucket) -> None:
    gcs = gcs_via(proxy)
    gcs.write(gcs_bucket, "orders/o1.json", b"{}")
    proxy.script(Reply(503), Reply(503), path_prefix=f"/storage/v1/b/{gcs_bucket}/o/")
    proxy.requests.clear()
    assert gcs.read(gcs_bucket, "orders/o1.json").data == b"{}"
    metadata_calls = [r for r in proxy.requests if f"/b/{gcs_bucket}/o/" in r.path]
    # Two refusals, then the metadata; the bytes come from the emulator's own
    # mediaLink, which names the emulator rather than the proxy.
    assert len(metadata_calls) == 2 + 1


@pytest.mark.emulator
def test_a_conditional_write_is_retried_through_a_503(proxy, gcs_bucket) -> None:
    gcs = gcs_via(proxy)
    proxy.script(Reply(503), path_prefix="/upload/")
    generation = gcs.write(gcs_bucket, "orders/o1.json", b"{}", if_generation_match=0)
    assert gcs.read(gcs_bucket, "orders/o1.json").generation == generation


@pytest.mark.emulator
def test_an_unconditional_write_fails_fast_as_transient(proxy, gcs_bucket) -> None:
    gcs = gcs_via(proxy)
    proxy.script(Reply(503), path_prefix="/upload/")
    with pytest.raises(TransientStorageError):
        gcs.write(gcs_bucket, "copies/o1/book.pdf", b"%PDF")
    assert len([r for r in proxy.requests if r.path.startswith("/upload/")]) == 1


@pytest.mark.emulator
def test_a_store_that_keeps_failing_is_transient_within_the_deadline(proxy, gcs_bucket) -> None:
    gcs = gcs_via(proxy, deadline=1.0)
    proxy.script(*[Reply(503)] * 1000, path_prefix=f"/storage/v1/b/{gcs_bucket}/o/")
    started = time.monotonic()
    with pytest.raises(TransientStorageError):
        gcs.read(gcs_bucket, "orders/o1.json")
    assert time.monotonic() - started < 3.0


@pytest.mark.emulator
def test_build_gcs_storage_talks_to_an_explicit_emulator(storage_emulator, gcs_bucket) -> None:
    gcs = build_gcs_storage(PROJECT, "", endpoint=storage_emulator.endpoint)
    gcs.write(gcs_bucket, "a.txt", b"hi")
    assert gcs.list(gcs_bucket, "") == ["a.txt"]


@pytest.mark.emulator
def test_without_a_signing_identity_anonymous_credentials_cannot_sign(
    storage_emulator, gcs_bucket
) -> None:
    gcs = build_gcs_storage(PROJECT, "", endpoint=storage_emulator.endpoint)
    with pytest.raises(StorageError, match="cannot sign"):
        gcs.signed_url(gcs_bucket, "a.pdf", ttl=600, filename="a.pdf")


@pytest.mark.emulator
def test_unsafe_names_are_refused_before_any_request(proxy, gcs_bucket) -> None:
    gcs = gcs_via(proxy)
    proxy.requests.clear()
    for name in UNSAFE_NAMES.values():
        for call in every_call(gcs, gcs_bucket, name):
            with pytest.raises(InvalidName):
                call()
    assert [gcs.list(gcs_bucket, prefix) for prefix in UNLISTABLE_PREFIXES] == [
        [] for _ in UNLISTABLE_PREFIXES
    ]
    assert proxy.requests == []
