"""Pytest plugin: emulator and stand-in fixtures (loaded by tests/conftest.py).

Emulators are session-scoped and started on first use; a test that needs a
missing emulator is skipped with the reason. Stand-ins are per test, so each
test scripts and inspects its own requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.emulators import EmulatorUnavailable, PubSubEmulator, StorageEmulator
from tests.support.paddle_standin import PaddleStandIn
from tests.support.sendgrid_standin import SendGridStandIn


@pytest.fixture(scope="session")
def storage_emulator() -> Iterator[StorageEmulator]:
    """gcp-storage-emulator in memory on 127.0.0.1; .endpoint, .client(), .new_bucket()."""
    emulator = StorageEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def gcs_bucket(storage_emulator: StorageEmulator) -> str:
    """A fresh, empty bucket on the storage emulator."""
    return storage_emulator.new_bucket()


@pytest.fixture(scope="session")
def pubsub_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PubSubEmulator]:
    """The gcloud Pub/Sub emulator; .host, .publisher(), .subscriber(). Skips when missing."""
    data_dir: Path = tmp_path_factory.mktemp("pubsub-emulator")
    try:
        emulator = PubSubEmulator(data_dir).start()
    except EmulatorUnavailable as reason:
        pytest.skip(str(reason))
    yield emulator
    emulator.stop()


@pytest.fixture
def sendgrid_standin() -> Iterator[SendGridStandIn]:
    """A local SendGrid v3 API; .url, .api_key, .mails, .requests, .script(...)."""
    with SendGridStandIn() as standin:
        yield standin


@pytest.fixture
def paddle_standin() -> Iterator[PaddleStandIn]:
    """A local Paddle Billing API; .url, .api_key, .add_customer(...), .script(...)."""
    with PaddleStandIn() as standin:
        yield standin


CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries Google's hosts at start-up,
# which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through playwright-core: one per session, for every tier.

    One, because playwright's sync API runs an event loop in this thread while it is
    open: a second sync_playwright() in the same session would refuse to start.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # only where a test asks for the browser

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
