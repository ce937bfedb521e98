"""The console's listings on Cloud Storage: the same indexes through the real client."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from common.orders import OrderRecord, save_record, write_indexes
from common.storage.gcs import GcsStorage
from console.__main__ import run
from demo.emulators import StorageEmulator
from tests.integration.conftest import cloud_settings

pytestmark = pytest.mark.emulator


def test_orders_by_email_product_and_date_and_the_export(
    storage_emulator: StorageEmulator, tmp_path: Path
) -> None:
    delivery = storage_emulator.new_bucket()
    settings = cloud_settings(tmp_path, storage_emulator.new_bucket(), delivery)
    gcs = GcsStorage(storage_emulator.client(), signing=None, deadline=5.0, initial_backoff=0.01)
    for n, (email, product, day) in enumerate(
        [
            ("ada@example.com", "book", "2026-01-31"),
            ("bob@example.com", "book", "2026-02-02"),
            ("Ada@Example.com", "zine", "2026-02-03"),
        ]
    ):
        record = OrderRecord.received(
            at=f"{day}T10:00:00Z", order_id=f"o-{n}", title="T", buyer_name="N",
            buyer_email=email, code="C", products=(product,),
        )  # fmt: skip
        save_record(gcs, delivery, record, 0)
        write_indexes(gcs, delivery, record)

    def ids(*argv: str) -> list[str]:
        out = io.StringIO()
        status = run(["orders", "--json", *argv], settings, storage=gcs, out=Console(file=out))
        assert status == 0
        return [row["order_id"] for row in json.loads(out.getvalue())]

    assert ids("--email", "ada@example.com") == ["o-0", "o-2"]
    assert ids("--product", "book") == ["o-0", "o-1"]
    assert ids("--since", "2026-02-01") == ["o-1", "o-2"]
    assert ids("--since", "2026-02-01", "--product", "book") == ["o-1"]
    out = io.StringIO()
    assert run(["export", "--csv", "-"], settings, storage=gcs, out=Console(file=out)) == 0
    assert [r["order_id"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == [
        "o-0",
        "o-1",
        "o-2",
    ]
