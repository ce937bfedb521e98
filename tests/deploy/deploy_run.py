"""make deploy in a subprocess, against the stand-in gcloud, terraform and exlibris.

`Cloud` holds the stand-ins' shared state (tests/support/cloud_standin.py), a
terraform.tfvars for paddle and Lemon Squeezy, and a live service stand-in that
takes the signed test sale; `deploy()` runs `python -m deploy` as make does, with
the stand-ins first on PATH and no real gcloud reachable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import cloud_standin
from tests.support.http_standin import HttpStandIn, Recorded, Reply

ROOT = Path(__file__).resolve().parents[2]
STANDINS = ROOT / "tests" / "support" / "bin"
TFVARS = """project_id = "my-shop-123456"
region     = "us-central1"
shop_name  = "My Books"
mail_from  = "books@mybooks.test"
alert_email = "me@mybooks.test"
merchants  = ["paddle", "lemonsqueezy"]
"""
SECRETS = [
    "exlibris-stamp-secret",
    "exlibris-sendgrid-api-key",
    "exlibris-paddle-webhook-secret",
    "exlibris-paddle-api-key",
    "exlibris-lemonsqueezy-webhook-secret",
]
LEMONSQUEEZY_SECRET = "lsq-live-secret"
# Calls that only look: what a dry run may make, and all a second run may make.
READS = (
    ("gcloud", "auth", "list"),
    ("gcloud", "auth", "application-default"),
    ("gcloud", "projects", "describe"),
    ("gcloud", "billing", "projects"),
    ("gcloud", "services", "list"),
    ("gcloud", "storage", "buckets", "describe"),
    ("gcloud", "storage", "objects", "describe"),
    ("gcloud", "secrets", "versions", "list"),
    ("gcloud", "secrets", "versions", "access"),
    ("gcloud", "run", "services", "describe"),
    ("terraform", "output"),
)


class LiveService(HttpStandIn):
    """The deployed service's webhook route: takes the test sale, answers 200."""

    def respond(self, request: Recorded) -> Reply:
        return Reply(200, {"ok": True})


@dataclass
class Ran:
    status: int
    out: str
    err: str
    calls: list[list[str]]


@dataclass
class Cloud:
    folder: Path
    service: LiveService

    @property
    def state_file(self) -> Path:
        return self.folder / "state.json"

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_file.read_text())

    def set(self, **changes: Any) -> None:
        state = self.state()
        state.update(changes)
        self.state_file.write_text(json.dumps(state))

    def deploy(self, dry_run: bool = False, **env: str) -> Ran:
        before = len(self.state()["calls"])
        done = subprocess.run(
            [sys.executable, "-m", "deploy"],
            cwd=ROOT,
            env={**self.env(), "DRY_RUN": "1" if dry_run else "", **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        calls = self.state()["calls"][before:]
        return Ran(done.returncode, done.stdout, done.stderr, calls)

    def env(self) -> dict[str, str]:
        venv = Path(sys.executable).parent
        return {
            # The stand-ins first; the venv's python3 runs them; /usr/bin for git. No real gcloud.
            "PATH": f"{STANDINS}:{venv}:/usr/bin:/bin",
            "HOME": str(self.folder),
            "PYTHONPATH": str(ROOT),
            "EXLIBRIS_STANDIN_STATE": str(self.state_file),
            "TFVARS": str(self.folder / "terraform.tfvars"),
            "CATALOG_FILE": str(self.folder / "catalog.toml"),
            "BOOKS": str(self.folder / "books"),
            "SENDGRID_API_KEY": "SG.test-key",
            "PADDLE_API_KEY": "pdl_live_apikey_test",
            "LEMONSQUEEZY_WEBHOOK_SECRET": LEMONSQUEEZY_SECRET,
        }


def make_cloud(folder: Path, service: LiveService, **state: Any) -> Cloud:
    (folder / "terraform.tfvars").write_text(TFVARS)
    config = {
        "name": "exlibris",
        "region": "us-central1",
        "secrets": SECRETS,
        "merchants": ["paddle", "lemonsqueezy"],
        "public_url": service.url,
    }
    standin = cloud_standin.new_state(**state)
    standin["terraform"]["config"] = config
    (folder / "state.json").write_text(json.dumps(standin))
    return Cloud(folder, service)


def changing(calls: list[list[str]]) -> list[list[str]]:
    """The calls that change something (every call not among READS)."""
    return [
        c for c in calls if not any(tuple(words(c)[: len(r)]) == r for r in READS) and not _plan(c)
    ]


def _plan(call: list[str]) -> bool:
    """terraform init and plan change only the checkout (.terraform, a plan file)."""
    return call[0] == "terraform" and words(call)[1] in ("init", "plan")


def words(call: list[str]) -> list[str]:
    """A call without its flags and -chdir."""
    return [w for w in call if not w.startswith("-")]
