"""Fixtures of the unit tier: a whole shop in one process for the console's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.settings import Settings
from tests.support.inline_publisher import InlinePublisher
from tests.support.shop import Shop, local_storage
from worker.app import create_app


@pytest.fixture
def shop(settings: Settings, originals: Path) -> Shop:
    """The worker on embedded adapters in tmp_path, and the console aimed at it."""
    worker = create_app(settings)
    publisher = InlinePublisher(worker.test_client())
    return Shop(settings, worker, local_storage(settings), publisher)
