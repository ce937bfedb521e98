"""What `make deploy` is told: terraform/terraform.tfvars and the environment, read once.

The tfvars file is Terraform's own input (python-hcl2 reads it; it is in the dev
virtualenv, never in the image). Values Terraform defaults are defaulted the same
way here (terraform/variables.tf, main.tf). Keys and secrets never go in tfvars:
they come from the environment and go straight to Secret Manager. Without a
tfvars file a dry run shows the plan with terraform.tfvars.example's values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import hcl2

from common.settings import domain_of

ROOT = Path(__file__).resolve().parent.parent
MERCHANTS = ("paddle", "stripe", "lemonsqueezy", "shopify", "woocommerce")
TRUE = ("1", "true", "yes", "on")


class InputError(Exception):
    """An input is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class SecretSpec:
    """One of terraform/secrets.tf's secrets and where make deploy gets its first version."""

    suffix: str  # the secret is NAME-suffix
    env: str  # the variable the services read, and where make deploy reads its value
    source: str  # "env": the author's; "generated": made here once; "connect": a store's
    where: str  # how to get it, for the preflight's fix


@dataclass(frozen=True)
class Inputs:
    root: Path
    tfvars: Path
    example: bool  # no terraform.tfvars: a dry run shows the plan with the example's values
    project: str
    region: str
    name: str
    merchants: tuple[str, ...]
    editions: tuple[str, ...]
    mail_from: str
    mail_domains: tuple[str, ...]  # MAIL_DOMAINS: the sender domains the provider authenticated
    mail_backend: str  # sendgrid or smtp: which mail secret there is (terraform/secrets.tf)
    author_email: str
    public_url: str
    source_bucket: str
    paddle_api_url: str
    catalog_file: Path
    books: Path
    env: Mapping[str, str]
    dry_run: bool

    @property
    def state_bucket(self) -> str:
        return f"{self.project}-tfstate"

    @property
    def billing(self) -> bool:
        return "paddle" in self.merchants and "billing" in self.editions

    @property
    def sender_domains(self) -> tuple[str, ...]:
        """Where the catalog's imprints may send from, as Settings.sender_domains says."""
        address = parseaddr(self.mail_from)[1]
        return tuple(d.lower() for d in self.mail_domains) or (domain_of(address),)

    def secret(self, spec: SecretSpec) -> str:
        return f"{self.name}-{spec.suffix}"

    def secrets(self) -> list[SecretSpec]:
        """The secrets Terraform creates for these inputs (terraform/secrets.tf, local.secrets)."""
        on = {
            "stamp-secret": True,
            "sendgrid-api-key": self.mail_backend == "sendgrid",
            "smtp-password": self.mail_backend == "smtp",
            "paddle-webhook-secret": self.billing,
            "paddle-api-key": self.billing,
            "stripe-webhook-secret": "stripe" in self.merchants,
            "stripe-api-key": "stripe" in self.merchants,
            "lemonsqueezy-webhook-secret": "lemonsqueezy" in self.merchants,
            "shopify-webhook-secret": "shopify" in self.merchants,
            "woocommerce-webhook-secret": "woocommerce" in self.merchants,
        }
        return [s for s in SECRETS if on[s.suffix]]


SECRETS = (
    SecretSpec("stamp-secret", "STAMP_SECRET", "generated", "made here, once"),
    SecretSpec(
        "sendgrid-api-key",
        "SENDGRID_API_KEY",
        "env",
        "SendGrid > Settings > API Keys > Create API Key, restricted access, Mail Send only",
    ),
    SecretSpec(
        "smtp-password",
        "SMTP_PASSWORD",
        "env",
        "your mail provider's SMTP password (docs/deploy.md, Mail over SMTP)",
    ),
    SecretSpec(
        "paddle-webhook-secret",
        "PADDLE_WEBHOOK_SECRET",
        "connect",
        "`exlibris paddle connect` keeps it",
    ),
    SecretSpec(
        "paddle-api-key",
        "PADDLE_API_KEY",
        "env",
        "Paddle > Developer Tools > Authentication > New API key with customer read and write, "
        "notification setting read and write, product read",
    ),
    SecretSpec(
        "stripe-webhook-secret",
        "STRIPE_WEBHOOK_SECRET",
        "connect",
        "`exlibris stripe connect` keeps it",
    ),
    SecretSpec(
        "stripe-api-key",
        "STRIPE_API_KEY",
        "env",
        "Stripe > Developers > API keys > Create restricted key: Checkout Sessions read, "
        "Webhook Endpoints write, Products and Prices read (docs/merchants/stripe.md)",
    ),
    SecretSpec(
        "lemonsqueezy-webhook-secret",
        "LEMONSQUEEZY_WEBHOOK_SECRET",
        "env",
        "choose one (openssl rand -hex 24) and type the same into Lemon Squeezy > Settings > "
        "Webhooks (docs/merchants/lemonsqueezy.md)",
    ),
    SecretSpec(
        "shopify-webhook-secret",
        "SHOPIFY_WEBHOOK_SECRET",
        "env",
        "your Shopify app's client secret (docs/merchants/shopify.md)",
    ),
    SecretSpec(
        "woocommerce-webhook-secret",
        "WOOCOMMERCE_WEBHOOK_SECRET",
        "env",
        "choose one (openssl rand -hex 24) and type the same into WooCommerce > Settings > "
        "Advanced > Webhooks (docs/merchants/woocommerce.md)",
    ),
)


def read_inputs(environ: Mapping[str, str] | None = None, root: Path = ROOT) -> Inputs:
    """Inputs from the tfvars file (TFVARS, default terraform/terraform.tfvars) and env."""
    env = dict(os.environ if environ is None else environ)
    dry_run = env.get("DRY_RUN", "").strip().lower() in TRUE
    tfvars = Path(env.get("TFVARS") or root / "terraform" / "terraform.tfvars")
    example = not tfvars.exists()
    if example and not dry_run:
        raise InputError(
            f"{tfvars} is missing: cp terraform/terraform.tfvars.example {tfvars} and edit it "
            "(project_id, shop_name, mail_from, merchants, alert_email)"
        )
    values = _load(root / "terraform" / "terraform.tfvars.example" if example else tfvars)
    project = _text(values, "project_id", "")
    if not project:
        raise InputError(f"{tfvars}: project_id is required")
    name = _text(values, "name", "exlibris")
    merchants = tuple(m for m in MERCHANTS if m in _list(values, "merchants", ["paddle"]))
    unknown = set(_list(values, "merchants", [])) - set(MERCHANTS)
    if unknown or not merchants:
        raise InputError(f"{tfvars}: merchants must hold some of {', '.join(MERCHANTS)}")
    return Inputs(
        root=root,
        tfvars=tfvars,
        example=example,
        project=project,
        region=_text(values, "region", "us-central1"),
        name=name,
        merchants=merchants,
        editions=tuple(_list(values, "paddle_editions", ["billing"])),
        mail_from=_text(values, "mail_from", ""),
        mail_domains=tuple(_list(values, "mail_domains", [])),
        mail_backend=_text(values, "mail_backend", "sendgrid"),
        author_email=env.get("AUTHOR_EMAIL", "").strip()
        or _text(values, "alert_email", "")
        or _text(values, "support_email", ""),
        public_url=_text(values, "public_url", "").rstrip("/"),
        source_bucket=_text(values, "source_bucket", "") or f"{project}-{name}-originals",
        paddle_api_url=env.get("PADDLE_API_URL", "").strip()
        or _text(values, "paddle_api_url", "https://api.paddle.com"),
        catalog_file=Path(env.get("CATALOG_FILE") or root / "catalog.toml"),
        books=Path(env.get("BOOKS") or root / "books"),
        env=env,
        dry_run=dry_run,
    )


def terraform_apis(root: Path = ROOT) -> tuple[str, ...]:
    """The APIs terraform/apis.tf enables (its `apis` local), read, not copied."""
    expression = next(b["apis"] for b in _load(root / "terraform" / "apis.tf")["locals"])
    return tuple(re.findall(r'"([a-z0-9.-]+\.googleapis\.com)"', str(expression)))


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as file:
            loaded: dict[str, Any] = hcl2.load(file)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    except Exception as exc:  # python-hcl2 raises lark's errors: one line, where and what
        raise InputError(f"{path} is not valid HCL: {str(exc).splitlines()[0]}") from None
    return loaded


def _unquote(value: Any) -> Any:
    # python-hcl2 keeps string literals quoted ('"x"'), as tests/deploy/terraform.py notes.
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _text(values: dict[str, Any], key: str, default: str) -> str:
    value = _unquote(values.get(key, default))
    if not isinstance(value, str):
        raise InputError(f"terraform.tfvars: {key} must be a string")
    return value.strip()


def _list(values: dict[str, Any], key: str, default: list[str]) -> list[str]:
    value = values.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"terraform.tfvars: {key} must be a list of strings")
    return [str(_unquote(v)).strip() for v in value]
