"""Shared fixtures: settings on a temp folder, the sample book, signed-webhook helpers.

Every test that touches disk gets its own tmp_path; nothing reads the real
environment (Settings.from_env is given an explicit mapping).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from common.catalog import Catalog, load_catalog
from common.settings import Settings
from demo.sample_book import make_sample_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CATALOG = ROOT / "sample" / "catalog.toml"
WEBHOOK_SECRET = "pdl_ntfset_test-secret"
STAMP_SECRET = "test-stamp-secret"

if importlib.util.find_spec("tests.support.fixtures") is not None:
    pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session")
def sample_book() -> bytes:
    """The demo's sample book: cover, contents with internal links, outline, 48 pages."""
    return make_sample_book(pages=48)


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(str(SAMPLE_CATALOG))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded settings on a temp folder, with test secrets."""
    return Settings.from_env(
        {
            "LOCAL_DATA_DIR": str(tmp_path / "var"),
            "CATALOG": str(SAMPLE_CATALOG),
            "PADDLE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STAMP_SECRET": STAMP_SECRET,
            "PUBLIC_URL": "http://127.0.0.1:8080",
        }
    )


@pytest.fixture
def originals(settings: Settings, sample_book: bytes) -> Path:
    """The sample book dropped into embedded storage, where an author would put it."""
    folder = settings.local_data_dir / "storage" / settings.source_bucket
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "practical-python.pdf").write_bytes(sample_book)
    return folder


def needs(tool: str) -> pytest.MarkDecorator:
    """Skip, with the reason, when a command-line tool is missing."""
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed")
