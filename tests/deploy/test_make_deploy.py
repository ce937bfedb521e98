"""make deploy from an empty project, against stand-in gcloud, terraform and exlibris.

Each test runs `python -m deploy` as `make deploy` does, in a subprocess with the
stand-ins (tests/support/bin) first on PATH; they record every call and answer
with the real tools' words for the usual failures (tests/support/cloud_standin.py).
"""

from __future__ import annotations

import hmac
import json
import subprocess
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path

import pytest

from tests.deploy.deploy_run import (
    LEMONSQUEEZY_SECRET,
    ROOT,
    Cloud,
    LiveService,
    changing,
    make_cloud,
    words,
)

# Each test runs make deploy's tool as a whole process with stand-ins on PATH.
pytestmark = pytest.mark.slow

STEPS = [
    "1. Preflight",
    "2. The APIs",
    "3. Terraform's state bucket",
    "4. Terraform: the secrets first",
    "5. A version in each secret",
    "6. Terraform: everything else",
    "7. Originals and catalog",
    "8. Build and deploy",
    "9. The stores' webhooks",
    "10. A signed test sale",
]
HEAD = subprocess.run(
    ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
).stdout.strip()


@pytest.fixture
def service() -> Iterator[LiveService]:
    with LiveService() as live:
        assert isinstance(live, LiveService)
        yield live


@pytest.fixture
def cloud(tmp_path: Path, service: LiveService) -> Cloud:
    return make_cloud(tmp_path, service)


def test_a_dry_run_prints_every_step_and_changes_nothing(cloud: Cloud):
    before = cloud.state()
    ran = cloud.deploy(dry_run=True)
    assert ran.status == 0, ran.err
    positions = [ran.out.index(step) for step in STEPS]
    assert positions == sorted(positions)
    for planned in (
        "would run: gcloud services enable",
        "would run: gcloud storage buckets create gs://my-shop-123456-tfstate",
        "init -input=false -backend-config=bucket=my-shop-123456-tfstate",
        "-target=google_secret_manager_secret.secrets",
        "would run: gcloud secrets versions add exlibris-stamp-secret",
        "would run: gcloud storage cp",
        "gs://my-shop-123456-exlibris-originals/catalog.toml",
        "cloud_build_command) with COMMIT_SHA=" + HEAD,
        "would run: exlibris paddle connect --url",
        "would post a signed lemonsqueezy sale",
        "Dry run: nothing was changed",
    ):
        assert planned in ran.out
    assert changing(ran.calls) == []
    assert not [c for c in ran.calls if c[0] == "terraform" and words(c)[1] != "output"]
    assert {**cloud.state(), "calls": []} == {**before, "calls": []}
    assert cloud.service.requests == []


def test_missing_billing_stops_at_the_preflight_with_the_fix(tmp_path: Path, service: LiveService):
    cloud = make_cloud(tmp_path, service, billing=False)
    ran = cloud.deploy()
    assert ran.status == 1
    assert "billing is not enabled" in ran.out
    assert "gcloud billing projects link my-shop-123456 --billing-account=ACCOUNT_ID" in ran.out
    assert "nothing changed" in ran.err and "2. The APIs" not in ran.out
    assert changing(ran.calls) == []


@pytest.mark.parametrize(
    ("state", "said", "fix"),
    [
        ({"account": None}, "gcloud is not signed in", "gcloud auth login"),
        (
            {"denied": True},
            "does not have permission to access project [my-shop-123456]",
            "gcloud projects create my-shop-123456",
        ),
        ({"adc": False}, "no Application Default Credentials", "application-default login"),
    ],
)
def test_a_missing_sign_in_or_project_stops_at_the_preflight(
    tmp_path: Path, service: LiveService, state: dict[str, object], said: str, fix: str
):
    cloud = make_cloud(tmp_path, service, **state)
    ran = cloud.deploy()
    assert ran.status == 1 and said in ran.out and fix in ran.out
    assert changing(ran.calls) == []


def test_a_missing_store_key_is_named_with_where_to_get_it(cloud: Cloud):
    ran = cloud.deploy(LEMONSQUEEZY_WEBHOOK_SECRET="")
    assert ran.status == 1
    assert "LEMONSQUEEZY_WEBHOOK_SECRET is not set" in ran.out and "Lemon Squeezy" in ran.out
    assert changing(ran.calls) == []


def test_an_empty_project_becomes_a_live_shop_and_a_second_run_changes_nothing(cloud: Cloud):
    ran = cloud.deploy()
    assert ran.status == 0, ran.out + ran.err
    state = cloud.state()
    enabled = [c for c in ran.calls if words(c)[:3] == ["gcloud", "services", "enable"]]
    assert len(enabled) == 1 and "run.googleapis.com" in enabled[0]
    assert {"run.googleapis.com", "secretmanager.googleapis.com"} <= set(state["apis"])
    assert state["buckets"]["my-shop-123456-tfstate"]["versioning"] is True
    for service in ("exlibris", "exlibris-worker"):
        assert state["services"][service]["image"].endswith(f":{HEAD}")
    assert state["secrets"]["exlibris-lemonsqueezy-webhook-secret"] == [LEMONSQUEEZY_SECRET]
    assert state["secrets"]["exlibris-paddle-webhook-secret"][-1] == "whsec_from_the_store"
    assert state["services"]["exlibris"]["labels"] == {"exlibris-secrets": "connected"}
    [connect] = [c for c in ran.calls if c[0] == "exlibris"]
    assert connect[1:3] == ["paddle", "connect"]
    assert state["console_env"][0]["STORAGE_BACKEND"] == "gcs"
    originals = state["buckets"]["my-shop-123456-exlibris-originals"]["objects"]
    assert {"catalog.toml", "exlibris-deploy-test.pdf"} <= set(originals)
    [sale] = cloud.service.requests
    assert sale.path == "/webhooks/lemonsqueezy"
    expected = hmac.new(LEMONSQUEEZY_SECRET.encode(), sale.body, sha256).hexdigest()
    assert sale.headers["x-signature"] == expected
    assert json.loads(sale.body)["data"]["attributes"]["user_email"] == "me@mybooks.test"
    assert "me@mybooks.test" in ran.out

    again = cloud.deploy()
    assert again.status == 0, again.err
    assert changing(again.calls) == []
    assert "Nothing to do" in again.out and "no test sale" in again.out
    assert len(cloud.service.requests) == 1
    assert cloud.state()["services"] == state["services"]


def test_terraform_applies_the_secrets_first_then_versions_then_the_rest(cloud: Cloud):
    ran = cloud.deploy()
    assert ran.status == 0, ran.err
    events = [_event(c) for c in ran.calls]
    assert [e for e in events if e] == [
        "plan the secrets",
        "apply",
        *["add a version"] * 5,
        "plan the whole",
        "apply",
    ]


def _event(call: list[str]) -> str:
    if call[0] == "terraform" and "plan" in call:
        targeted = "-target=google_secret_manager_secret.secrets" in call
        return "plan the secrets" if targeted else "plan the whole"
    if call[0] == "terraform" and "apply" in call:
        return "apply"
    return "add a version" if words(call)[:4] == ["gcloud", "secrets", "versions", "add"] else ""


def test_the_stand_in_refuses_the_whole_apply_while_a_secret_has_no_version(cloud: Cloud):
    """What makes the order above necessary: Cloud Run's refusal, as terraform reports it."""
    state = cloud.state()
    state["apis"].append("secretmanager.googleapis.com")
    state["terraform"].update(initialized=True, applied=["secrets"])
    cloud.set(**state)
    plan = cloud.folder / "plan"
    plan.write_text("all")
    done = subprocess.run(
        [str(ROOT / "tests/support/bin/terraform"), "apply", "-input=false", str(plan)],
        env=cloud.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "secrets/exlibris-stamp-secret/versions/latest was not found" in done.stderr


def test_only_the_apis_not_enabled_are_enabled(tmp_path: Path, service: LiveService):
    from deploy._steps import APIS

    enabled = [a for a in APIS if a != "run.googleapis.com"]
    cloud = make_cloud(tmp_path, service, apis=enabled)
    ran = cloud.deploy()
    assert ran.status == 0, ran.err
    [enable] = [c for c in ran.calls if words(c)[:3] == ["gcloud", "services", "enable"]]
    assert words(enable)[3:] == ["run.googleapis.com"]


def test_a_changed_catalog_is_uploaded_and_rolled_without_a_build(cloud: Cloud):
    (cloud.folder / "books").mkdir()
    (cloud.folder / "books" / "book.pdf").write_bytes(b"%PDF-1.7 a book")
    catalog = cloud.folder / "catalog.toml"
    catalog.write_text(_catalog("First edition"))
    assert cloud.deploy().status == 0
    catalog.write_text(_catalog("Second edition"))
    ran = cloud.deploy()
    assert ran.status == 0, ran.err
    changed = [words(c)[:4] for c in changing(ran.calls)]
    assert ["gcloud", "storage", "cp"] in [c[:3] for c in changed]
    assert not [c for c in changed if c[:2] == ["gcloud", "builds"]]
    labels = [
        c for c in ran.calls if any(w.startswith("--update-labels=exlibris-catalog") for w in c)
    ]
    assert [words(c)[4] for c in labels] == ["exlibris", "exlibris-worker"]


def _catalog(title: str) -> str:
    return "\n".join(
        [
            "[products.book]",
            'ids = ["lemonsqueezy:1"]',
            f'title = "{title}"',
            'files = [{ source = "book.pdf", stamp = true }]',
            "",
        ]
    )


@pytest.mark.parametrize("sender", ["books@shop.example", "My Books <books@shop.example>"])
def test_a_placeholder_sender_stops_the_preflight_in_either_form(
    tmp_path: Path, service: LiveService, sender: str
):
    cloud = make_cloud(tmp_path, service)
    tfvars = tmp_path / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text().replace('"books@mybooks.test"', f'"{sender}"'))
    ran = cloud.deploy()
    assert ran.status == 1 and "mail_from in terraform.tfvars is" in ran.out
    assert changing(ran.calls) == []


IMPRINT = (
    '[imprints.pen]\nshop_name = "Pen"\nmail_from = "Pen <pen@pen.example>"\nlogo = "pen.png"\n'
)


def test_an_imprint_off_mail_domains_stops_the_preflight(cloud: Cloud):
    (cloud.folder / "catalog.toml").write_text(
        _catalog("A Pen Name").replace("[products.book]", '[products.book]\nimprint = "pen"')
        + IMPRINT
    )
    ran = cloud.deploy()
    assert ran.status == 1
    assert "imprints.pen.mail_from: pen.example is not a sender domain" in ran.out
    assert "(MAIL_DOMAINS: mybooks.test)" in ran.out  # mail_from's own, mail_domains unset
    assert changing(ran.calls) == []


def test_an_imprint_on_mail_domains_is_deployed_with_its_logo(cloud: Cloud):
    tfvars = cloud.folder / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text() + 'mail_domains = ["mybooks.test", "pen.example"]\n')
    (cloud.folder / "books").mkdir()
    (cloud.folder / "books" / "book.pdf").write_bytes(b"%PDF-1.7 a book")
    (cloud.folder / "books" / "pen.png").write_bytes(b"\x89PNG\r\n\x1a\n a logo")
    (cloud.folder / "catalog.toml").write_text(
        _catalog("A Pen Name").replace("[products.book]", '[products.book]\nimprint = "pen"')
        + IMPRINT
    )
    ran = cloud.deploy()
    assert ran.status == 0, ran.out + ran.err
    copied = [
        words(c)[-1] for c in changing(ran.calls) if words(c)[:3] == ["gcloud", "storage", "cp"]
    ]
    assert "gs://my-shop-123456-exlibris-originals/pen.png" in copied
