"""`exlibris catalog push` on the embedded stack, rolling through the stand-in gcloud.

The catalog lives at gs://<source bucket>/catalog.toml in local storage, as the
cloud's does in GCS; the stand-in gcloud (tests/support/bin) records the roll.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from rich.console import Console

from common.adapters import build_catalog
from common.settings import Settings
from console.__main__ import run
from tests.conftest import SAMPLE_CATALOG
from tests.support import cloud_standin
from tests.support.imprints import imprint_toml
from tests.support.shop import local_storage

IMPRINTED = (
    SAMPLE_CATALOG.read_bytes().replace(
        b'title = "Practical Python Projects"\n',
        b'title = "Practical Python Projects"\nimprint = "held-out"\n',
    )
    + imprint_toml().encode()
)
STANDINS = Path(__file__).resolve().parents[2] / "support" / "bin"


@pytest.fixture
def shop(settings: Settings, originals: Path) -> Settings:
    return settings.with_overrides(catalog=f"gs://{settings.source_bucket}/catalog.toml")


@pytest.fixture
def gcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = cloud_standin.new_state(project="", apis=["run.googleapis.com"])
    state["services"] = {
        name: {"image": "img:1", "labels": {}, "revisions": 1}
        for name in ("exlibris", "exlibris-worker")
    }
    path = tmp_path / "gcloud.json"
    path.write_text(json.dumps(state))
    monkeypatch.setenv("EXLIBRIS_STANDIN_STATE", str(path))
    monkeypatch.setenv("PATH", f"{STANDINS}:{Path(sys.executable).parent}:/usr/bin")
    return path


def push(settings: Settings, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(
        ["catalog", "push", *argv],
        settings,
        stderr=err,
        storage=local_storage(settings),
        out=Console(file=out, width=200),
    )
    return status, out.getvalue(), err.getvalue()


def new_title(tmp_path: Path, title: str = "Practical Python, 2nd edition") -> Path:
    text = SAMPLE_CATALOG.read_text().replace('"Practical Python Projects"', json.dumps(title))
    path = tmp_path / "catalog.toml"
    path.write_text(text)
    return path


def test_a_changed_catalog_is_uploaded_and_both_services_roll(
    shop: Settings, gcloud: Path, tmp_path: Path
):
    status, out, err = push(shop, str(new_title(tmp_path)), "--region", "us-central1")
    assert (status, err) == (0, "")
    assert build_catalog(shop, local_storage(shop)).products[0].title.endswith("2nd edition")
    state = json.loads(gcloud.read_text())
    generation = local_storage(shop).generation(shop.source_bucket, "catalog.toml")
    rolls = [c for c in state["calls"] if c[1:4] == ["run", "services", "update"]]
    assert [c[4] for c in rolls] == ["exlibris", "exlibris-worker"]
    assert all(f"--update-labels=exlibris-catalog={generation}" in c for c in rolls)
    assert state["services"]["exlibris"]["revisions"] == 2
    assert f"generation {generation}" in out


def test_the_same_catalog_again_uploads_and_rolls_nothing(
    shop: Settings, gcloud: Path, tmp_path: Path
):
    path = new_title(tmp_path)
    push(shop, str(path), "--region", "us-central1")
    calls = len(json.loads(gcloud.read_text())["calls"])
    status, out, _ = push(shop, str(path), "--region", "us-central1")
    assert status == 0 and "already this catalog" in out
    assert len(json.loads(gcloud.read_text())["calls"]) == calls


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'[products.x]\ntitle = "X"\n', "not pushed: products.x.ids"),
        (b"[products.x\n", "not valid TOML"),
        (b"\xff\xfe title", "is not UTF-8"),
        (b"#" * (1024 * 1024 + 1), "that is not a catalog"),
        (
            SAMPLE_CATALOG.read_bytes().replace(b"practical-python.epub", b"missing.epub"),
            "lacks missing.epub",
        ),
        (  # MAIL_DOMAINS is empty: MAIL_FROM's domain (example.com) alone
            IMPRINTED,
            "not pushed: imprints.held-out.mail_from: heldout.example is not a sender domain",
        ),
        (  # the services would refuse to start with this logo
            IMPRINTED.replace(
                b'accent_color = "#7a1f5c"', b'logo = "practical-python.pdf"'
            ).replace(b"heldout.example", b"example.com"),
            "not pushed: imprints.held-out.logo: not a PNG or JPEG image",
        ),
    ],
    ids=["no ids", "not toml", "not utf-8", "huge", "missing original", "domain", "logo"],
)
def test_a_catalog_that_would_fail_sales_is_refused_in_words_and_nothing_moves(
    shop: Settings, gcloud: Path, tmp_path: Path, content: bytes, said: str
):
    path = tmp_path / "catalog.toml"
    path.write_bytes(content)
    status, _, err = push(shop, str(path), "--region", "us-central1")
    assert status == 1 and said in err and err.count("\n") == 1
    assert "Traceback" not in err
    assert not (shop.local_data_dir / "storage" / shop.source_bucket / "catalog.toml").exists()
    assert json.loads(gcloud.read_text())["calls"] == []


def test_without_a_region_the_embedded_stack_is_told_to_restart(shop: Settings, tmp_path: Path):
    status, out, _ = push(shop, str(new_title(tmp_path)))
    assert status == 0 and "restart `make run`" in out


def test_a_failed_roll_says_the_catalog_is_uploaded(shop: Settings, gcloud: Path, tmp_path: Path):
    state = json.loads(gcloud.read_text())
    state["apis"] = []
    gcloud.write_text(json.dumps(state))
    status, _, err = push(shop, str(new_title(tmp_path)), "--region", "us-central1")
    assert status == 1
    assert "the catalog is uploaded, but the roll failed" in err
    assert "Cloud Run Admin API has not been used" in err
