"""Where `exlibris paddle|stripe|lemonsqueezy connect` keeps a new webhook's secret.

Cloud: a new version of the `<name>-paddle-webhook-secret` secret in Secret
Manager (or `-stripe-`, `-lemonsqueezy-`; Terraform creates the secret, never
its value), added through the real client with a CRC32C checksum Secret
Manager verifies; the service reads the latest version when a new revision
starts. Needs roles/secretmanager.secretVersionAdder on that secret. Nothing
here prints the value in the cloud. Embedded: printed for the author to put in
PADDLE_WEBHOOK_SECRET (or the merchant's own variable).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

import google_crc32c
from google.api_core import exceptions as api
from rich.console import Console

from console.errors import ConsoleError


class SecretManagerClient(Protocol):
    """What we use of google.cloud.secretmanager.SecretManagerServiceClient."""

    def secret_path(self, project: str, secret: str) -> str: ...

    def add_secret_version(self, *, request: dict[str, Any], timeout: float) -> Any: ...


def secret_manager_client() -> SecretManagerClient:
    """The real client, with Application Default Credentials."""
    # Imported by name: the package ships types, and once mypy follows them it treats the
    # google.cloud namespace as typed and no longer finds the untyped storage and pubsub_v1.
    module = importlib.import_module("google.cloud.secretmanager")
    client: SecretManagerClient = module.SecretManagerServiceClient()
    return client


class SecretManagerStore:
    def __init__(self, client: SecretManagerClient, project: str) -> None:
        self._client = client
        self._project = project

    def add(self, secret_id: str, value: str) -> str:
        data = value.encode()
        parent = self._client.secret_path(self._project, secret_id)
        try:
            version = self._client.add_secret_version(
                request={
                    "parent": parent,
                    "payload": {"data": data, "data_crc32c": google_crc32c.value(data)},
                },
                timeout=30,
            )
        except api.NotFound:
            raise ConsoleError(
                f"secret {parent} does not exist: `terraform apply` creates it"
            ) from None
        except api.PermissionDenied:
            raise ConsoleError(
                f"not allowed to add a version to {parent}: "
                "grant roles/secretmanager.secretVersionAdder on it"
            ) from None
        except api.GoogleAPIError as exc:
            raise ConsoleError(
                f"Secret Manager refused the new version of {parent}: {exc}"
            ) from None
        return str(version.name)


# Terraform's secret names end with the merchant's; each is read into one variable (secrets.tf).
_VARIABLES = {
    "stripe-webhook-secret": "STRIPE_WEBHOOK_SECRET",
    "lemonsqueezy-webhook-secret": "LEMONSQUEEZY_WEBHOOK_SECRET",
}


class PrintedSecret:
    """The embedded stack has no Secret Manager: show the value once, to be put in the env."""

    def __init__(self, out: Console) -> None:
        self._out = out

    def add(self, secret_id: str, value: str) -> str:
        variable = next(
            (v for suffix, v in _VARIABLES.items() if secret_id.endswith(suffix)),
            "PADDLE_WEBHOOK_SECRET",
        )
        self._out.print("Set it where the service reads its settings, then restart it:")
        self._out.print(f"{variable}={value}", markup=False, highlight=False)
        return f"the {variable} line above"
