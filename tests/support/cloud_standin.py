"""The state and the error texts behind the stand-in `gcloud`, `terraform` and `exlibris`.

tests/support/bin/ holds three small executables that make deploy finds on PATH.
They share one JSON file (EXLIBRIS_STANDIN_STATE): the signed-in account, the
project (number, billing, enabled APIs), buckets and objects, secrets and their
versions, the Cloud Run services, Terraform's progress, and every call made, in
order, so a test can say what ran and that nothing changed.

A failure answers with the real tool's words, exit status 1, on stderr:
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# gcloud with no active account, e.g. `ERROR: (gcloud.compute.disks.list) You do not currently
# have an active account selected.` (jacksegal/google-compute-snapshot#33,
# kubernetes/kubernetes#23496, GoogleCloudPlatform/cloud-ops-sandbox#168).
NOT_SIGNED_IN = """ERROR: ({command}) You do not currently have an active account selected.
Please run:

  $ gcloud auth login

to obtain new credentials, or if you have already logged in with a
different account:

  $ gcloud config set account ACCOUNT

to select an already authenticated account to use.
"""
# A project the caller may not see or that does not exist: gcloud's wrapping, quoted in
# GoogleCloudPlatform/magic-modules#3726 (`gcloud projects describe some-project`).
PERMISSION_DENIED = (
    "ERROR: ({command}) User [{account}] does not have permission to access project "
    "[{project}] (or it may not exist): The caller does not have permission\n"
)
# An API that is off: gcloud's PERMISSION_DENIED with the service's title and the console
# link (kubeflow/kubeflow#1280 for gcloud; GoogleCloudPlatform/emblem#757 for Cloud Run's).
API_DISABLED = (
    "ERROR: ({command}) PERMISSION_DENIED: {title} has not been used in project {number} "
    "before or it is disabled. Enable it by visiting "
    "https://console.developers.google.com/apis/api/{api}/overview?project={number} then "
    "retry. If you enabled this API recently, wait a few minutes for the action to "
    "propagate to our systems and retry.\n"
)
# `gcloud services enable` on a project without billing (kyegomez/zeta#71).
BILLING_DISABLED = (
    "ERROR: (gcloud.services.enable) FAILED_PRECONDITION: Billing account for project "
    "'{number}' is not found. Billing must be enabled for activation of service(s) "
    "'{apis}' to proceed.\n"
)
# Cloud Run refusing a revision whose secret has no version, as the Google provider
# reports it (the reason docs/deploy.md applies the secrets first; hashicorp/
# terraform-provider-google issues on google_cloud_run_v2_service with secret_key_ref).
SECRET_WITHOUT_VERSION = (
    "Error: Error waiting to create Service: Error waiting for Creating Service: Error code 9, "
    "message: spec.template.spec.containers[0].env.value_from.secret_key_ref.name: "
    "Secret projects/{number}/secrets/{secret}/versions/latest was not found\n"
)
API_TITLES = {
    "run.googleapis.com": "Cloud Run Admin API",
    "secretmanager.googleapis.com": "Secret Manager API",
    "cloudbuild.googleapis.com": "Cloud Build API",
}


def state_path() -> Path:
    return Path(os.environ["EXLIBRIS_STANDIN_STATE"])


def load() -> dict[str, Any]:
    state: dict[str, Any] = json.loads(state_path().read_text())
    return state


def save(state: dict[str, Any]) -> None:
    state_path().write_text(json.dumps(state, indent=1))


def record(state: dict[str, Any], tool: str, argv: list[str]) -> None:
    state["calls"].append([tool, *argv])


def new_state(project: str = "my-shop-123456", **changes: Any) -> dict[str, Any]:
    """A signed-in author and an empty project with billing on and no API enabled."""
    state: dict[str, Any] = {
        "account": "author@example.com",
        "adc": True,
        "project": project,
        "number": "123456789012",
        "billing": True,
        "apis": ["serviceusage.googleapis.com", "storage.googleapis.com"],
        "buckets": {},
        "secrets": {},
        "services": {},
        "terraform": {"initialized": False, "applied": []},
        "calls": [],
    }
    state.update(changes)
    return state
