"""The checkout index: a sale naming its checkout is found by it (index/checkouts/<ref>).

Against the dict-backed storage of test_in_memory.py: the worker writes the index
create-only before the record, so a redelivery after a crash still writes it, and a
reference two sales share stays with the first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from common.orders import Status, checkout_index_name
from common.settings import Settings
from common.storage import MemoryStorage, TransientStorageError
from tests.support.pdfs import book
from tests.unit.worker.use_cases.test_in_memory import deliver, deps, memory_deps, paid
from worker.deps import WorkerDeps
from worker.errors import TransientError

__all__ = ["deps"]  # the fixture, shared with test_in_memory.py

REF = "f3Zq9-Lk2_x7Pw0aQe4R"


def test_a_sale_with_a_reference_is_found_by_it(deps: WorkerDeps) -> None:
    assert deliver(deps, paid("txn_1", checkout_ref=REF)) == [Status.MAILED]
    assert deps.orders.checkout_order(REF) == "txn_1"


def test_a_sale_without_one_writes_no_checkout_index(deps: WorkerDeps) -> None:
    deliver(deps, paid("txn_1"))
    assert deps.orders.list("index/checkouts/") == []


def test_a_reference_two_sales_share_stays_with_the_first(deps: WorkerDeps) -> None:
    deliver(deps, paid("txn_1", checkout_ref=REF), paid("txn_2", checkout_ref=REF))
    assert deps.orders.checkout_order(REF) == "txn_1"
    second, _ = deps.orders.load("txn_2")
    assert second is not None and second.status == Status.MAILED  # the sale itself stands


class Flaky(MemoryStorage):
    """Memory storage whose first write of the checkout index fails, as a GCS 503 would."""

    failed = False

    def write(
        self,
        bucket: str,
        name: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_generation_match: int | None = None,
    ) -> int:
        if name == checkout_index_name(REF) and not self.failed:
            self.failed = True
            raise TransientStorageError("503 from the bucket")
        return super().write(
            bucket, name, data, content_type=content_type, if_generation_match=if_generation_match
        )


@pytest.fixture
def flaky(settings: Settings, tmp_path: Path) -> WorkerDeps:
    return memory_deps(settings, tmp_path, Flaky(), originals={"python.pdf": book(3)})


def test_a_failed_index_write_is_retried_before_the_record_exists(flaky: WorkerDeps) -> None:
    with pytest.raises(TransientError):
        deliver(flaky, paid("txn_1", checkout_ref=REF))
    assert flaky.orders.load("txn_1")[0] is None  # Pub/Sub redelivers; nothing half-done
    assert deliver(flaky, paid("txn_1", checkout_ref=REF)) == [Status.MAILED]
    assert flaky.orders.checkout_order(REF) == "txn_1"
