"""Headless Chromium (Debian's `chromium`) driven by playwright, against the real stack.

The stack is the e2e `live` fixture: service and worker under gunicorn on
loopback, embedded storage, outbox mail. Chromium comes from the system
(`apt-get install chromium`), never from `playwright install`, so CI needs no
download beyond Debian's mirror. Every test is skipped, with the reason, when
/usr/bin/chromium or the playwright package is missing.

Screenshots go to a temp folder, or to SCREENSHOTS_DIR when it is set:
`SCREENSHOTS_DIR=docs/screenshots .venv/bin/pytest tests/browser` refreshes
the ones the docs show.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import imprinted, live  # noqa: F401 - the real stack, shared with e2e
from tests.support.fixtures import CHROMIUM

PHONE = {"width": 412, "height": 640}  # a common phone width: the pages must read well here


def _missing() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Tab:
    """A browser tab and what it reported: console errors (CSP violations land there)."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)


@pytest.fixture
def tab(chromium: Any) -> Iterator[Tab]:
    """A fresh phone-sized tab with JavaScript off: the pages must work without it."""
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    tab = Tab(context.new_page())
    tab.page.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.page.on("response", lambda response: _note_failed_asset(tab, response))
    yield tab
    context.close()


def _note_failed_asset(tab: Tab, response: Any) -> None:
    if response.request.resource_type != "document" and response.status >= 400:
        tab.failed_assets.append(f"{response.status} {response.url}")


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
