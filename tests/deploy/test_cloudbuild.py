"""cloudbuild.yaml: test first, one image per commit, two deploys with their APP."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "${_REGION}-docker.pkg.dev/${PROJECT_ID}/${_REPOSITORY}/${_IMAGE}:${COMMIT_SHA}"


@pytest.fixture(scope="module")
def build() -> dict:
    return yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())


def step(build: dict, step_id: str) -> dict:
    (found,) = [s for s in build["steps"] if s["id"] == step_id]
    return found


def test_steps_are_named_in_order(build):
    ids = [s["id"] for s in build["steps"]]
    assert ids == ["test", "build", "push", "deploy-service", "deploy-worker", "deploy-dashboard"]


def test_tests_run_first_exactly_as_ci_and_guard_the_tag(build):
    script = step(build, "test")["script"]
    assert script.strip().splitlines()[-1].strip() == ".ci/run"
    assert "COMMIT_SHA" in script
    assert "apt-get" not in script  # packages come from .ci/run and the one list
    assert build["options"]["automapSubstitutions"] is True


def test_the_image_is_tagged_with_the_commit_and_pushed(build):
    assert f"--tag={IMAGE}" in step(build, "build")["args"]
    assert step(build, "push")["args"] == ["push", IMAGE]


@pytest.mark.parametrize(
    ("step_id", "app"),
    [("deploy-service", "service"), ("deploy-worker", "worker"), ("deploy-dashboard", "dashboard")],
)
def test_every_service_deploys_the_same_image_with_its_app(build, step_id, app):
    deploy = step(build, step_id)
    args = deploy["args"]
    assert args[:2] == ["run", "deploy"]
    assert args[2] == {"service": "${_SERVICE}", "worker": "${_WORKER}"}.get(app, "${_DASHBOARD}")
    assert f"--image={IMAGE}" in args
    assert f"--update-env-vars=APP={app}" in args
    assert "--region=${_REGION}" in args
    assert deploy["waitFor"] == ["push"]
    # Who may invoke a service is Terraform's business, never a deploy's.
    assert not any("allow-unauthenticated" in a for a in args)


def test_substitutions_name_region_repository_and_services(build):
    assert set(build["substitutions"]) == {
        "_REGION",
        "_REPOSITORY",
        "_IMAGE",
        "_SERVICE",
        "_WORKER",
        "_DASHBOARD",
    }


def test_logs_go_to_the_builds_bucket_of_the_build_account(build):
    assert build["options"]["logging"] == "GCS_ONLY"
