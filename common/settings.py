"""Settings: the only reader of the environment.

`Settings.from_env` reads every variable once, validates it and returns a
frozen value that the composition roots hand down. An invalid or missing value
raises SettingsError naming the variable, so a bad deploy fails at start-up
rather than on the first purchase.

The embedded stack (local storage and local push) runs with demo-only secrets
when none are given, so `make demo` needs no set-up; any cloud backend makes
the real secrets mandatory.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from common.i18n import DEFAULT_LANGUAGE, LANGUAGES
from stamping.limits import Limits, variable

DEMO_WEBHOOK_SECRET = "pdl_ntfset_demo-only-not-a-secret"  # noqa: S105 - public by design
DEMO_STAMP_SECRET = "demo-only-stamp-secret"  # noqa: S105 - public by design


MAX_LINK_TTL = 10 * 366 * 24 * 3600
# Pub/Sub's bounds on a subscription's retry_policy backoffs (0 to 600 s) and on a dead-letter
# policy's max_delivery_attempts (5 to 100): cloud.google.com/pubsub/docs/reference/rest/v1/
# projects.subscriptions (RetryPolicy, DeadLetterPolicy). The local publisher keeps to them.
MAX_PUSH_BACKOFF = 600.0
DELIVERY_ATTEMPTS = (5, 100)


class SettingsError(ValueError):
    """A variable is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Settings:
    port: int = 8080
    paddle_webhook_secrets: tuple[str, ...] = ()
    # Stripe and Standard Webhooks allow 300 s: a cold start must not turn a genuine
    # webhook into a 401, and a replay is harmless because every order is idempotent.
    paddle_signature_tolerance: int = 300
    paddle_public_key: str = ""
    paddle_api_key: str = ""
    paddle_api_url: str = "https://api.paddle.com"
    # Storefronts beyond Paddle: a merchant whose secret is unset is off (its route is a 404).
    stripe_webhook_secrets: tuple[str, ...] = ()
    stripe_api_key: str = ""
    stripe_api_url: str = "https://api.stripe.com"
    lemonsqueezy_webhook_secrets: tuple[str, ...] = ()
    lemonsqueezy_allow_test: bool = True  # false: test-mode orders are refused (logged, 200)
    # Only `exlibris lemonsqueezy` calls Lemon Squeezy's API; the webhook carries the sale.
    lemonsqueezy_api_key: str = ""
    lemonsqueezy_api_url: str = "https://api.lemonsqueezy.com"
    shopify_webhook_secrets: tuple[str, ...] = ()
    # WooCommerce's generated secrets may contain commas, so this holds exactly one.
    woocommerce_webhook_secret: str = ""
    catalog: str = "sample/catalog.toml"
    source_bucket: str = "exlibris-originals"
    delivery_bucket: str = "exlibris-deliveries"
    public_url: str = "http://127.0.0.1:8080"
    link_ttl: int = 30 * 24 * 3600
    # How long after the purchase /thanks?ref=… shows the downloads; then it points to /links.
    thanks_ttl: int = 24 * 3600
    download_limit: int = 5
    signed_url_ttl: int = 600
    sendgrid_api_key: str = ""
    sendgrid_api_url: str = "https://api.sendgrid.com"
    # SendGrid's Event Webhook (POST /webhooks/sendgrid): the base64 DER verification key it
    # shows; unset, the route is off (404).
    sendgrid_event_public_key: str = ""
    # sendgrid, smtp or outbox; unset: sendgrid when SENDGRID_API_KEY is set, else outbox.
    mail_backend: str = ""
    smtp_host: str = ""
    smtp_port: int = 587  # the submission port (RFC 6409), STARTTLS
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "starttls"  # starttls, tls (implicit, port 465) or none (loopback only)
    # One whole SMTP send, connection to the last reply: far below the push deadline
    # (terraform ack_deadline_seconds, 300 s), so a stalling server frees the worker thread.
    smtp_timeout: float = 30.0
    mail_from: str = "books@example.com"
    # The sender domains the mail provider has authenticated (SendGrid's domain
    # authentication, SES's verified identities): an imprint's mail_from must be on one.
    # Empty: MAIL_FROM's domain alone.
    mail_domains: tuple[str, ...] = ()
    stamp_secret: str = ""
    local_data_dir: Path = Path("var")
    storage_backend: str = "local"
    publish_backend: str = "local"
    pubsub_topic: str = "orders"
    google_cloud_project: str = ""
    worker_push_url: str = "http://127.0.0.1:8081/pubsub/push"  # from_env: PORT + 1, unless set
    local_push_concurrency: int = 1
    # The local publisher's retry schedule is Pub/Sub's, as terraform/pubsub.tf sets it:
    # retry_policy 10 s to 600 s, and max_delivery_attempts (terraform/variables.tf, 10).
    # Tests and the chaos bench scale the backoffs down; the defaults are the cloud's.
    local_push_min_backoff: float = 10.0
    local_push_max_backoff: float = 600.0
    local_push_max_attempts: int = 10
    # How long a delivery's claim on an order's mail holds off other deliveries
    # (worker/use_cases/_delivery.py). It must outlast the slowest send (SendGrid's timeout
    # is 10 s), and the publisher's retries must outlast it, or a worker killed mid-send
    # leaves its order unmailed: both are checked below for the embedded publisher.
    mail_claim_seconds: int = 300
    # auto: "true" unless the whole stack is embedded; cloud-run: Cloud Run IAM checked
    # the signature, so the worker checks the claims (worker/push_auth.py)
    push_auth: str = "auto"
    push_audience: str = ""
    push_service_account: str = ""
    signing_service_account: str = ""
    shop_name: str = "exlibris"
    support_email: str = ""
    # The author's page on reading the book on each device; the download page links it.
    reader_help_url: str = ""
    # The buyer's language when neither the store nor the browser names one we speak
    # (common/i18n): en, de, fr, es, it, pt, nl or ar.
    shop_language: str = DEFAULT_LANGUAGE
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    # What one stamp, check or trace of a file may cost (stamping/limits.py says why each
    # default): a hostile upload is refused naming the variable it passed.
    stamp_max_stream: int = Limits.stream
    stamp_max_inflated: int = Limits.inflated
    stamp_max_ratio: int = Limits.ratio
    stamp_max_objects: int = Limits.objects
    stamp_max_pages: int = Limits.pages
    stamp_max_zip_entries: int = Limits.zip_entries
    stamp_max_zip_size: int = Limits.zip_size
    stamp_max_seconds: int = Limits.seconds
    # The author's dashboard (dashboard/): who may use it, and how that is checked.
    # iap: every request carries Identity-Aware Proxy's signed assertion (dashboard/auth);
    # local: the embedded stack on a laptop, served on loopback only.
    dashboard_auth: str = "iap"
    iap_audience: str = ""  # /projects/NUMBER/locations/REGION/services/NAME (terraform output)
    iap_certs_url: str = "https://www.gstatic.com/iap/verify/public_key-jwk"
    dashboard_members: tuple[str, ...] = ()  # optional allow-list of emails; empty: IAP decides
    # "Who leaked this?" uploads: Cloud Run refuses an HTTP/1 request over 32 MiB anyway
    # (cloud.google.com/run/quotas), so the default is that; bigger files: `exlibris trace`.
    dashboard_max_upload: int = 32 * 1024 * 1024

    @property
    def limits(self) -> Limits:
        """The engine's limits (stamping/limits.py), from the STAMP_MAX_* variables."""
        return Limits(**{f.name: getattr(self, variable(f.name).lower()) for f in fields(Limits)})

    @property
    def sender(self) -> tuple[str, str]:
        """(display name, address) of MAIL_FROM: its own name wins over SHOP_NAME."""
        name, address = parseaddr(self.mail_from)
        return (name or self.shop_name), address

    @property
    def sender_domains(self) -> tuple[str, ...]:
        """The domains mail may be sent from: MAIL_DOMAINS, else MAIL_FROM's own (lower case)."""
        return tuple(d.lower() for d in self.mail_domains) or (domain_of(self.sender[1]),)

    @property
    def embedded(self) -> bool:
        return self.storage_backend == "local" and self.publish_backend == "local"

    @property
    def push_auth_mode(self) -> str:
        """How the worker checks a push: "off", "verify" (the signature too) or "cloud-run"."""
        if self.push_auth == "auto":
            return "off" if self.embedded else "verify"
        return {"true": "verify", "false": "off"}.get(self.push_auth, self.push_auth)

    @property
    def push_auth_required(self) -> bool:
        return self.push_auth_mode != "off"

    @property
    def uses_demo_secrets(self) -> bool:
        return self.stamp_secret == DEMO_STAMP_SECRET

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable; raise SettingsError naming the bad one."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in _ALIASED:
                continue
            raw = env.get(f.name.upper())
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _parse(f.name, raw.strip(), f.default)
        values.update(_aliases(env))
        values.setdefault("worker_push_url", embedded_worker_url(values.get("port", cls.port)))
        return cls(**values).validated()

    def validated(self) -> Settings:
        _choice("STORAGE_BACKEND", self.storage_backend, ("local", "gcs"))
        _choice("PUBLISH_BACKEND", self.publish_backend, ("local", "pubsub"))
        _choice("PUSH_AUTH", self.push_auth, ("auto", "true", "false", "cloud-run"))
        _choice("LOG_LEVEL", self.log_level.upper(), _LOG_LEVELS)
        _choice("DASHBOARD_AUTH", self.dashboard_auth, ("iap", "local"))
        _positive("DASHBOARD_MAX_UPLOAD", self.dashboard_max_upload)
        _positive("PORT", self.port)
        _positive("LINK_TTL", self.link_ttl)
        if self.link_ttl > MAX_LINK_TTL:  # a link's expiry must stay a date a page can print
            raise SettingsError(f"LINK_TTL: at most {MAX_LINK_TTL} seconds (ten years)")
        _positive("SIGNED_URL_TTL", self.signed_url_ttl)
        _positive("THANKS_TTL", self.thanks_ttl)
        if self.thanks_ttl > MAX_LINK_TTL:
            raise SettingsError(f"THANKS_TTL: at most {MAX_LINK_TTL} seconds (ten years)")
        _positive("LOCAL_PUSH_CONCURRENCY", self.local_push_concurrency)
        for limit in fields(Limits):
            _positive(variable(limit.name), getattr(self, variable(limit.name).lower()))
        _positive("MAIL_CLAIM_SECONDS", self.mail_claim_seconds)
        self._check_push_schedule()
        if self.download_limit < 0:
            raise SettingsError("DOWNLOAD_LIMIT: must be 0 (no limit) or a positive integer")
        if self.paddle_signature_tolerance < 0:
            raise SettingsError("PADDLE_SIGNATURE_TOLERANCE: must not be negative")
        _sender("MAIL_FROM", self.mail_from)
        self._check_mail_domains()
        self._check_mail()
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError("PUBLIC_URL: must be an http(s) URL")
        _https_url("READER_HELP_URL", self.reader_help_url)
        _choice("SHOP_LANGUAGE", self.shop_language, LANGUAGES)
        if self.embedded:
            return replace(
                self,
                paddle_webhook_secrets=self.paddle_webhook_secrets or (DEMO_WEBHOOK_SECRET,),
                stamp_secret=self.stamp_secret or DEMO_STAMP_SECRET,
            )
        if not self.stamp_secret:
            raise SettingsError("STAMP_SECRET: required outside the embedded stack")
        if self.stamp_secret == DEMO_STAMP_SECRET:
            raise SettingsError("STAMP_SECRET: the demo value must not be used in the cloud")
        return self

    def _check_mail_domains(self) -> None:
        for domain in self.mail_domains:
            if not _DOMAIN.fullmatch(domain.lower()):
                raise SettingsError(
                    f"MAIL_DOMAINS: expected domain names (mybooks.example), got {domain!r}"
                )
        if self.mail_domains and domain_of(self.sender[1]) not in self.sender_domains:
            raise SettingsError(
                f"MAIL_DOMAINS: MAIL_FROM's domain {domain_of(self.sender[1])} is not listed"
            )

    @property
    def mail(self) -> str:
        """The mail backend in use: MAIL_BACKEND, or sendgrid with a key and the outbox without."""
        return self.mail_backend or ("sendgrid" if self.sendgrid_api_key else "outbox")

    def _check_mail(self) -> None:
        _choice("MAIL_BACKEND", self.mail, ("sendgrid", "smtp", "outbox"))
        if self.mail == "sendgrid" and not self.sendgrid_api_key:
            raise SettingsError("SENDGRID_API_KEY: required with MAIL_BACKEND=sendgrid")
        if self.mail != "smtp":
            return
        _choice("SMTP_SECURITY", self.smtp_security, ("starttls", "tls", "none"))
        if not self.smtp_host:
            raise SettingsError("SMTP_HOST: required with MAIL_BACKEND=smtp")
        if not 0 < self.smtp_port < 65536:
            raise SettingsError(f"SMTP_PORT: a TCP port (1 to 65535), got {self.smtp_port}")
        if self.smtp_security == "none" and not _loopback(self.smtp_host):
            # Without TLS the password and every buyer's address cross the network in clear.
            raise SettingsError(
                f"SMTP_SECURITY: none is allowed only to a loopback host (127.0.0.1, ::1, "
                f"localhost), not {self.smtp_host!r}: use starttls or tls"
            )
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise SettingsError("SMTP_PASSWORD: SMTP_USERNAME and SMTP_PASSWORD go together")
        if not 0 < self.smtp_timeout < self.mail_claim_seconds:
            raise SettingsError(
                f"SMTP_TIMEOUT: more than 0 and less than MAIL_CLAIM_SECONDS "
                f"({self.mail_claim_seconds}), got {self.smtp_timeout:g}"
            )

    def _check_push_schedule(self) -> None:
        low, high = self.local_push_min_backoff, self.local_push_max_backoff
        if not 0 < low <= MAX_PUSH_BACKOFF:
            raise SettingsError(
                f"LOCAL_PUSH_MIN_BACKOFF: more than 0 and at most {MAX_PUSH_BACKOFF:g} seconds "
                f"(Pub/Sub's bounds), got {low:g}"
            )
        if not low <= high <= MAX_PUSH_BACKOFF:
            raise SettingsError(
                f"LOCAL_PUSH_MAX_BACKOFF: from LOCAL_PUSH_MIN_BACKOFF ({low:g}) to "
                f"{MAX_PUSH_BACKOFF:g} seconds (Pub/Sub's bounds), got {high:g}"
            )
        fewest, most = DELIVERY_ATTEMPTS
        if not fewest <= self.local_push_max_attempts <= most:
            raise SettingsError(
                f"LOCAL_PUSH_MAX_ATTEMPTS: {fewest} to {most} (Pub/Sub's bounds), "
                f"got {self.local_push_max_attempts}"
            )
        patience = sum(push_backoffs(low, high, self.local_push_max_attempts))
        if self.publish_backend == "local" and patience <= self.mail_claim_seconds:
            # Terraform keeps the same rule for the cloud (variables.tf, max_delivery_attempts).
            raise SettingsError(
                f"LOCAL_PUSH_MAX_ATTEMPTS: the local publisher gives up after {patience:g} s of "
                f"retries, within MAIL_CLAIM_SECONDS ({self.mail_claim_seconds}): an order whose "
                "worker died mid-send would be dead-lettered before it may be mailed again"
            )

    @property
    def sells_anywhere(self) -> bool:
        """At least one merchant's webhook can be verified."""
        return any(
            (
                self.paddle_webhook_secrets,
                self.paddle_public_key,
                self.stripe_webhook_secrets,
                self.lemonsqueezy_webhook_secrets,
                self.shopify_webhook_secrets,
                self.woocommerce_webhook_secret,
            )
        )

    def check_service(self) -> Settings:
        """What only the service needs: a way to verify at least one merchant's webhooks."""
        if not self.sells_anywhere:
            raise SettingsError(
                "PADDLE_WEBHOOK_SECRET: required (or PADDLE_PUBLIC_KEY for Paddle Classic, or "
                "STRIPE_, LEMONSQUEEZY_, SHOPIFY_ or WOOCOMMERCE_WEBHOOK_SECRET)"
            )
        return self

    def check_worker(self) -> Settings:
        """What only the worker needs: the audience its push tokens must carry."""
        if self.push_auth_required and not self.push_audience:
            raise SettingsError("PUSH_AUDIENCE: required while PUSH_AUTH is on (the worker's URL)")
        if self.push_auth_required and not self.push_service_account:
            # Any Google account can mint a token for any audience: the email is the check.
            raise SettingsError(
                "PUSH_SERVICE_ACCOUNT: required while PUSH_AUTH is on (the push account's email)"
            )
        return self

    def check_dashboard(self) -> Settings:
        """What only the dashboard needs: under IAP, the audience its assertions must carry."""
        if self.dashboard_auth == "iap" and not self.iap_audience:
            raise SettingsError(
                "IAP_AUDIENCE: required while DASHBOARD_AUTH=iap (terraform output "
                "dashboard_iap_audience); DASHBOARD_AUTH=local serves a laptop's loopback only"
            )
        if self.dashboard_auth == "iap" and not self.iap_certs_url.startswith(_KEY_URLS):
            raise SettingsError("IAP_CERTS_URL: must be an https URL (or http on 127.0.0.1)")
        return self

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes).validated()


# Variables whose names differ from their field: each holds a comma-separated list.
_SECRET_LISTS = {
    "PADDLE_WEBHOOK_SECRET": "paddle_webhook_secrets",
    "STRIPE_WEBHOOK_SECRET": "stripe_webhook_secrets",
    "LEMONSQUEEZY_WEBHOOK_SECRET": "lemonsqueezy_webhook_secrets",
    "SHOPIFY_WEBHOOK_SECRET": "shopify_webhook_secrets",
}
_ALIASED = set(_SECRET_LISTS.values())
_KEY_URLS = ("https://", "http://127.0.0.1:")  # a stand-in of IAP's key set serves on loopback
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def parse_sender(value: str) -> tuple[str, str]:
    """(display name or "", address) of `Name <address>` or a bare address; ValueError else.

    MAIL_FROM and a catalog imprint's mail_from both read through here.
    """
    name, address = parseaddr(value)
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(f"expected an address or 'Name <address>', got {value!r}") from None
    text = value.strip()
    if text != address and not (name and text.endswith(f"<{address}>")):  # two addresses, say
        raise ValueError(f"expected an address or 'Name <address>', got {value!r}")
    return name, address


def domain_of(address: str) -> str:
    """The domain of an address, in lower case (DNS names are case-blind)."""
    return address.rpartition("@")[2].lower()


def _sender(var: str, value: str) -> None:
    """`Name <address>` or a bare address, one of them; anything else stops start-up."""
    try:
        parse_sender(value)
    except ValueError as exc:
        raise SettingsError(f"{var}: {exc}") from None


def _https_url(var: str, value: str) -> None:
    """Blank, or an https URL with a host and nothing a page's href could be broken by."""
    if not value:
        return
    try:
        parts = urlsplit(value)
        valid = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port out of range, a broken IPv6 literal
        valid = False
    unsafe = any(c in value for c in " \"<>'\\") or not value.isprintable()
    if not valid or unsafe or len(value) > 2000:
        raise SettingsError(f"{var}: expected an https:// URL, got {value[:80]!r}")


def push_backoffs(minimum: float, maximum: float, attempts: int) -> list[float]:
    """The waits between `attempts` deliveries of one message: doubling from minimum, capped.

    Pub/Sub: "Retry delay will be exponential based on provided minimum and maximum
    backoffs" (RetryPolicy, cloud.google.com/pubsub/docs/reference/rest/v1/
    projects.subscriptions), best effort. The factor is not published; doubling is what
    terraform/variables.tf assumes for max_delivery_attempts.
    """
    return [min(maximum, minimum * 2**n) for n in range(attempts - 1)]


def variable_of(field_name: str) -> str:
    """The environment variable a settings field is read from."""
    aliased = {name: var for var, name in _SECRET_LISTS.items()}
    return aliased.get(field_name, field_name.upper())


def embedded_worker_url(port: int) -> str:
    """Where the embedded stack's worker takes pushes: the port after the service's PORT."""
    # `make run` starts the worker there (demo/__main__.py), so every process reading the
    # same PORT (the service, the console) pushes to the worker of that stack, not to 8081.
    return f"http://127.0.0.1:{port + 1}/pubsub/push"


def _aliases(env: Mapping[str, str]) -> dict[str, Any]:
    """The webhook secrets, several (comma-separated) during a rotation."""
    out: dict[str, Any] = {}
    for var, name in _SECRET_LISTS.items():
        secret = env.get(var, "")
        if secret.strip():
            out[name] = tuple(s.strip() for s in secret.split(",") if s.strip())
    return out


def _parse(name: str, raw: str, default: Any) -> Any:
    var = name.upper()
    if isinstance(default, bool):
        if raw.lower() not in ("true", "false", "1", "0"):
            raise SettingsError(f"{var}: expected true or false, got {raw!r}")
        return raw.lower() in ("true", "1")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{var}: expected an integer, got {raw!r}") from None
    if isinstance(default, float):
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise SettingsError(f"{var}: expected a number of seconds, got {raw!r}")
        return value
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(default, Path):
        return Path(raw)
    return raw


def _loopback(host: str) -> bool:
    """Whether the host names this machine: localhost, 127.0.0.0/8 or ::1 (no DNS look-up)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _choice(var: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"{var}: expected one of {', '.join(allowed)}, got {value!r}")


def _positive(var: str, value: int) -> None:
    if value <= 0:
        raise SettingsError(f"{var}: must be a positive integer, got {value}")
