"""Settings: defaults, every variable parsed, and errors that name the variable."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from common.settings import (
    DEMO_STAMP_SECRET,
    DEMO_WEBHOOK_SECRET,
    MAX_LINK_TTL,
    Settings,
    SettingsError,
    push_backoffs,
    variable_of,
)
from tests.conftest import ROOT

CLOUD = {
    "STORAGE_BACKEND": "gcs",
    "PUBLISH_BACKEND": "pubsub",
    "STAMP_SECRET": "a-real-stamp-secret",
    "PADDLE_WEBHOOK_SECRET": "pdl_ntfset_real",
    "PUSH_AUDIENCE": "https://worker.example.run.app",
    "PUSH_SERVICE_ACCOUNT": "push@project.iam.gserviceaccount.com",
}

# Every variable set to a value other than its default, and the field value it must give.
EVERY_VARIABLE = {
    "PORT": ("9000", "port", 9000),
    "PADDLE_WEBHOOK_SECRET": ("new, old", "paddle_webhook_secrets", ("new", "old")),
    "PADDLE_SIGNATURE_TOLERANCE": ("30", "paddle_signature_tolerance", 30),
    "PADDLE_PUBLIC_KEY": ("/keys/classic.pem", "paddle_public_key", "/keys/classic.pem"),
    "PADDLE_API_KEY": ("pdl_live_key", "paddle_api_key", "pdl_live_key"),
    "PADDLE_API_URL": ("https://sandbox-api.paddle.com", "paddle_api_url", None),
    "STRIPE_WEBHOOK_SECRET": (
        "whsec_new,whsec_old",
        "stripe_webhook_secrets",
        ("whsec_new", "whsec_old"),
    ),
    "STRIPE_API_KEY": ("rk_live_1", "stripe_api_key", None),
    "STRIPE_API_URL": ("http://127.0.0.1:9998", "stripe_api_url", None),
    "LEMONSQUEEZY_WEBHOOK_SECRET": ("ls-1", "lemonsqueezy_webhook_secrets", ("ls-1",)),
    "LEMONSQUEEZY_ALLOW_TEST": ("false", "lemonsqueezy_allow_test", False),
    "LEMONSQUEEZY_API_KEY": ("ls_api_key", "lemonsqueezy_api_key", None),
    "LEMONSQUEEZY_API_URL": ("http://127.0.0.1:9997", "lemonsqueezy_api_url", None),
    "SHOPIFY_WEBHOOK_SECRET": ("shp-a, shp-b", "shopify_webhook_secrets", ("shp-a", "shp-b")),
    "WOOCOMMERCE_WEBHOOK_SECRET": ("a,b;c", "woocommerce_webhook_secret", None),
    "CATALOG": ("gs://originals/catalog.toml", "catalog", None),
    "SOURCE_BUCKET": ("my-originals", "source_bucket", None),
    "DELIVERY_BUCKET": ("my-deliveries", "delivery_bucket", None),
    "PUBLIC_URL": ("https://books.example.com", "public_url", None),
    "LINK_TTL": ("86400", "link_ttl", 86400),
    "THANKS_TTL": ("3600", "thanks_ttl", 3600),
    "DOWNLOAD_LIMIT": ("0", "download_limit", 0),
    "SIGNED_URL_TTL": ("120", "signed_url_ttl", 120),
    "SENDGRID_API_KEY": ("SG.key", "sendgrid_api_key", None),
    "SENDGRID_API_URL": ("http://127.0.0.1:9999", "sendgrid_api_url", None),
    "MAIL_FROM": ("author@example.org", "mail_from", None),
    "MAIL_DOMAINS": ("example.org, Pen.example", "mail_domains", ("example.org", "Pen.example")),
    "SENDGRID_EVENT_PUBLIC_KEY": ("MFkwEwYHKoZIzj0CAQYI", "sendgrid_event_public_key", None),
    "MAIL_BACKEND": ("smtp", "mail_backend", None),
    "SMTP_HOST": ("email-smtp.eu-west-1.amazonaws.com", "smtp_host", None),
    "SMTP_PORT": ("465", "smtp_port", 465),
    "SMTP_USERNAME": ("AKIAEXAMPLE", "smtp_username", None),
    "SMTP_PASSWORD": ("smtp-secret", "smtp_password", None),
    "SMTP_SECURITY": ("tls", "smtp_security", None),
    "SMTP_TIMEOUT": ("20", "smtp_timeout", 20.0),
    "STAMP_SECRET": ("a-real-stamp-secret", "stamp_secret", None),
    "LOCAL_DATA_DIR": ("/srv/exlibris", "local_data_dir", Path("/srv/exlibris")),
    "STORAGE_BACKEND": ("gcs", "storage_backend", None),
    "PUBLISH_BACKEND": ("pubsub", "publish_backend", None),
    "PUBSUB_TOPIC": ("purchases", "pubsub_topic", None),
    "GOOGLE_CLOUD_PROJECT": ("my-project", "google_cloud_project", None),
    "WORKER_PUSH_URL": ("http://10.0.0.2:8081/pubsub/push", "worker_push_url", None),
    "LOCAL_PUSH_CONCURRENCY": ("4", "local_push_concurrency", 4),
    "LOCAL_PUSH_MIN_BACKOFF": ("0.5", "local_push_min_backoff", 0.5),
    "LOCAL_PUSH_MAX_BACKOFF": ("120", "local_push_max_backoff", 120.0),
    "LOCAL_PUSH_MAX_ATTEMPTS": ("20", "local_push_max_attempts", 20),
    "MAIL_CLAIM_SECONDS": ("60", "mail_claim_seconds", 60),
    "PUSH_AUTH": ("true", "push_auth", None),
    "PUSH_AUDIENCE": ("https://worker.example.run.app", "push_audience", None),
    "PUSH_SERVICE_ACCOUNT": ("push@p.iam.gserviceaccount.com", "push_service_account", None),
    "SIGNING_SERVICE_ACCOUNT": ("svc@p.iam.gserviceaccount.com", "signing_service_account", None),
    "SHOP_NAME": ("Ada's Books", "shop_name", None),
    "SUPPORT_EMAIL": ("help@example.org", "support_email", None),
    "READER_HELP_URL": ("https://ada.example/reading", "reader_help_url", None),
    "SHOP_LANGUAGE": ("de", "shop_language", None),
    "CORS_ORIGINS": (
        "https://a.example, https://b.example",
        "cors_origins",
        ("https://a.example", "https://b.example"),
    ),
    "LOG_LEVEL": ("DEBUG", "log_level", None),
    "STAMP_MAX_STREAM": ("1048576", "stamp_max_stream", 1 << 20),
    "STAMP_MAX_INFLATED": ("2097152", "stamp_max_inflated", 2 << 20),
    "STAMP_MAX_RATIO": ("50", "stamp_max_ratio", 50),
    "STAMP_MAX_OBJECTS": ("5000", "stamp_max_objects", 5000),
    "STAMP_MAX_PAGES": ("100", "stamp_max_pages", 100),
    "STAMP_MAX_ZIP_ENTRIES": ("200", "stamp_max_zip_entries", 200),
    "STAMP_MAX_ZIP_SIZE": ("3145728", "stamp_max_zip_size", 3 << 20),
    "STAMP_MAX_SECONDS": ("5", "stamp_max_seconds", 5),
    "DASHBOARD_AUTH": ("local", "dashboard_auth", "local"),
    "IAP_AUDIENCE": ("/projects/1/locations/r/services/d", "iap_audience", None),
    "IAP_CERTS_URL": ("https://keys.example/jwk", "iap_certs_url", None),
    "DASHBOARD_MEMBERS": ("a@x.y, b@x.y", "dashboard_members", ("a@x.y", "b@x.y")),
    "DASHBOARD_MAX_UPLOAD": ("1048576", "dashboard_max_upload", 1048576),
}


def test_defaults_are_the_embedded_stack() -> None:
    settings = Settings.from_env({})
    assert settings.port == 8080
    assert settings.link_ttl == 30 * 24 * 3600
    assert settings.download_limit == 5
    assert settings.signed_url_ttl == 600
    assert settings.local_data_dir == Path("var")
    assert settings.catalog == "sample/catalog.toml"
    assert settings.public_url == "http://127.0.0.1:8080"
    assert settings.embedded
    assert not settings.push_auth_required


def test_every_variable_is_parsed() -> None:
    environ = {var: raw for var, (raw, _, _) in EVERY_VARIABLE.items()}
    settings = Settings.from_env(environ)
    for var, (raw, name, expected) in EVERY_VARIABLE.items():
        want = raw if expected is None else expected
        assert getattr(settings, name) == want, var
    assert not settings.embedded


def test_the_table_above_covers_every_field() -> None:
    """A new Settings field must be added to EVERY_VARIABLE (and to .env.example)."""
    assert {variable_of(f.name) for f in fields(Settings)} == set(EVERY_VARIABLE)
    assert {name for _, name, _ in EVERY_VARIABLE.values()} == {f.name for f in fields(Settings)}


def test_the_embedded_worker_is_on_the_port_after_port() -> None:
    # `make run` puts the worker on PORT + 1; every process reading PORT must push there.
    assert Settings.from_env({"PORT": "9280"}).worker_push_url == (
        "http://127.0.0.1:9281/pubsub/push"
    )
    assert Settings.from_env({}).worker_push_url == "http://127.0.0.1:8081/pubsub/push"
    given = {"PORT": "9280", "WORKER_PUSH_URL": "http://10.0.0.2:8081/pubsub/push"}
    assert Settings.from_env(given).worker_push_url == "http://10.0.0.2:8081/pubsub/push"


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_values_keep_the_default(blank: str) -> None:
    settings = Settings.from_env({"PORT": blank, "LINK_TTL": blank, "SHOP_NAME": blank})
    assert (settings.port, settings.link_ttl, settings.shop_name) == (8080, 2592000, "exlibris")


def test_values_are_stripped() -> None:
    settings = Settings.from_env({"PORT": " 9000 ", "SHOP_NAME": "  Ada  "})
    assert (settings.port, settings.shop_name) == (9000, "Ada")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "abc"),
        ("PORT", "0"),
        ("PORT", "8080.5"),
        ("LINK_TTL", "0"),
        ("LINK_TTL", "-60"),
        ("LINK_TTL", "30d"),
        ("THANKS_TTL", "0"),
        ("THANKS_TTL", "1d"),
        ("SIGNED_URL_TTL", "0"),
        ("LOCAL_PUSH_CONCURRENCY", "0"),
        ("LOCAL_PUSH_MIN_BACKOFF", "0"),
        ("LOCAL_PUSH_MIN_BACKOFF", "-1"),
        ("LOCAL_PUSH_MIN_BACKOFF", "nan"),
        ("LOCAL_PUSH_MIN_BACKOFF", "10s"),
        ("LOCAL_PUSH_MAX_BACKOFF", "601"),
        ("LOCAL_PUSH_MAX_BACKOFF", "5"),  # below the 10 s minimum
        ("LOCAL_PUSH_MAX_BACKOFF", "inf"),
        ("LOCAL_PUSH_MAX_ATTEMPTS", "4"),
        ("LOCAL_PUSH_MAX_ATTEMPTS", "101"),
        ("MAIL_CLAIM_SECONDS", "0"),
        ("DOWNLOAD_LIMIT", "-1"),
        ("DOWNLOAD_LIMIT", "five"),
        ("PADDLE_SIGNATURE_TOLERANCE", "-1"),
        ("STORAGE_BACKEND", "s3"),
        ("PUBLISH_BACKEND", "kafka"),
        ("PUSH_AUTH", "maybe"),
        ("PUBLIC_URL", "ftp://x"),
        ("PUBLIC_URL", "books.example.com"),
        ("READER_HELP_URL", "http://ada.example/reading"),  # a help page is https
        ("READER_HELP_URL", "javascript:alert(1)"),
        ("READER_HELP_URL", "https://"),
        ("READER_HELP_URL", 'https://ada.example/"><script>'),
        ("READER_HELP_URL", "https://ada.example:99999/"),
        ("SHOP_LANGUAGE", "klingon"),  # one of the languages we have catalogs for
        ("SHOP_LANGUAGE", "de-DE"),
        ("LOG_LEVEL", "verbose"),
    ],
)
def test_an_invalid_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{variable}: "):
        Settings.from_env({variable: value})


@pytest.mark.parametrize("level", ["debug", "Warning", "ERROR"])
def test_log_level_is_case_insensitive(level: str) -> None:
    assert Settings.from_env({"LOG_LEVEL": level}).log_level == level


def test_the_worker_with_push_auth_on_needs_an_audience() -> None:
    settings = Settings.from_env({"PUSH_AUTH": "true"})  # the service does not care
    with pytest.raises(SettingsError, match=r"^PUSH_AUDIENCE: "):
        settings.check_worker()
    assert settings.check_service() is settings


def test_overrides_are_validated_too() -> None:
    with pytest.raises(SettingsError, match=r"^DOWNLOAD_LIMIT: "):
        Settings.from_env({}).with_overrides(download_limit=-3)


def test_embedded_gets_the_demo_secrets() -> None:
    settings = Settings.from_env({})
    assert settings.stamp_secret == DEMO_STAMP_SECRET
    assert settings.paddle_webhook_secrets == (DEMO_WEBHOOK_SECRET,)
    assert settings.uses_demo_secrets


def test_embedded_keeps_secrets_it_is_given() -> None:
    settings = Settings.from_env({"STAMP_SECRET": "mine", "PADDLE_WEBHOOK_SECRET": "pdl_mine"})
    assert settings.stamp_secret == "mine"
    assert settings.paddle_webhook_secrets == ("pdl_mine",)
    assert not settings.uses_demo_secrets


def test_cloud_with_real_secrets_is_valid() -> None:
    settings = Settings.from_env(CLOUD)
    assert settings.stamp_secret == "a-real-stamp-secret"
    assert not settings.uses_demo_secrets


@pytest.mark.parametrize(
    "changes",
    [{"STAMP_SECRET": ""}, {"STAMP_SECRET": DEMO_STAMP_SECRET}],
    ids=["no-stamp-secret", "demo-stamp-secret"],
)
def test_cloud_refuses_a_missing_or_demo_stamp_secret(changes: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=r"^STAMP_SECRET: "):
        Settings.from_env({**CLOUD, **changes})


@pytest.mark.parametrize("blank", ["", " , "], ids=["unset", "blank-list"])
def test_the_cloud_service_needs_a_webhook_secret(blank: str) -> None:
    settings = Settings.from_env({**CLOUD, "PADDLE_WEBHOOK_SECRET": blank})
    with pytest.raises(SettingsError, match=r"^PADDLE_WEBHOOK_SECRET: "):
        settings.check_service()
    assert settings.check_worker() is settings  # the worker verifies no webhooks


def test_the_cloud_worker_needs_a_push_audience() -> None:
    settings = Settings.from_env({**CLOUD, "PUSH_AUDIENCE": ""})
    with pytest.raises(SettingsError, match=r"^PUSH_AUDIENCE: "):
        settings.check_worker()
    assert settings.check_service() is settings


def test_the_cloud_worker_needs_the_push_account() -> None:
    settings = Settings.from_env({**CLOUD, "PUSH_SERVICE_ACCOUNT": ""})
    with pytest.raises(SettingsError, match=r"^PUSH_SERVICE_ACCOUNT: "):
        settings.check_worker()


def test_both_checks_pass_with_every_secret() -> None:
    settings = Settings.from_env(CLOUD)
    assert settings.check_service().check_worker() is settings


@pytest.mark.parametrize("backend", [{"STORAGE_BACKEND": "gcs"}, {"PUBLISH_BACKEND": "pubsub"}])
def test_either_cloud_backend_alone_makes_the_secrets_mandatory(backend: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match=r"^STAMP_SECRET: "):
        Settings.from_env(backend)


def test_cloud_with_only_a_classic_key_needs_no_webhook_secret() -> None:
    settings = Settings.from_env(
        {**CLOUD, "PADDLE_WEBHOOK_SECRET": "", "PADDLE_PUBLIC_KEY": "/keys/classic.pem"}
    )
    assert settings.check_service().paddle_webhook_secrets == ()


@pytest.mark.parametrize(
    ("raw", "secrets"),
    [
        ("one", ("one",)),
        ("new,old", ("new", "old")),
        (" new , old ,", ("new", "old")),
        ("a,,b", ("a", "b")),
    ],
)
def test_paddle_webhook_secret_is_a_comma_list(raw: str, secrets: tuple[str, ...]) -> None:
    assert Settings.from_env({"PADDLE_WEBHOOK_SECRET": raw}).paddle_webhook_secrets == secrets


def test_the_field_name_is_not_read_as_a_variable() -> None:
    settings = Settings.from_env({"PADDLE_WEBHOOK_SECRETS": "ignored"})
    assert settings.paddle_webhook_secrets == (DEMO_WEBHOOK_SECRET,)


@pytest.mark.parametrize(
    ("environ", "required"),
    [
        ({}, False),
        ({"PUSH_AUTH": "false"}, False),
        ({"PUSH_AUTH": "true", "PUSH_AUDIENCE": "https://w"}, True),
        (CLOUD, True),
        ({**CLOUD, "PUSH_AUTH": "false", "PUSH_AUDIENCE": ""}, False),
        ({**CLOUD, "PUBLISH_BACKEND": "local"}, True),
    ],
    ids=["embedded", "embedded-off", "embedded-on", "cloud", "cloud-off", "gcs-local-push"],
)
def test_push_auth_auto_is_on_unless_the_stack_is_embedded(
    environ: dict[str, str], required: bool
) -> None:
    assert Settings.from_env(environ).push_auth_required is required


def _env_example() -> dict[str, str]:
    """VARIABLE -> value of each assignment line in .env.example (comments removed)."""
    out = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(\S*)", line)
        if match:
            out[match.group(1)] = match.group(2)
    return out


def test_env_example_lists_exactly_the_settings() -> None:
    assert set(_env_example()) == {variable_of(f.name) for f in fields(Settings)}


def test_env_example_shows_the_defaults() -> None:
    example = _env_example()
    default = Settings()
    for f in fields(Settings):
        value = example[variable_of(f.name)]
        parsed = Settings.from_env({variable_of(f.name): value}) if value else default
        assert getattr(parsed, f.name) == getattr(default, f.name), variable_of(f.name)
        if not value:
            assert not getattr(default, f.name), f"{variable_of(f.name)} has a default to show"


@pytest.mark.parametrize(
    "variable",
    [
        "STRIPE_WEBHOOK_SECRET",
        "LEMONSQUEEZY_WEBHOOK_SECRET",
        "SHOPIFY_WEBHOOK_SECRET",
        "WOOCOMMERCE_WEBHOOK_SECRET",
    ],
)
def test_a_service_selling_through_any_one_merchant_starts(variable: str) -> None:
    settings = Settings.from_env({**CLOUD, "PADDLE_WEBHOOK_SECRET": "", variable: "s3cret"})
    assert settings.check_service().sells_anywhere


def test_a_true_or_false_setting_refuses_anything_else() -> None:
    with pytest.raises(SettingsError, match=r"^LEMONSQUEEZY_ALLOW_TEST: expected true or false"):
        Settings.from_env({"LEMONSQUEEZY_ALLOW_TEST": "yes"})


def test_link_ttl_is_at_most_ten_years() -> None:
    assert Settings.from_env({"LINK_TTL": str(MAX_LINK_TTL)}).link_ttl == MAX_LINK_TTL
    with pytest.raises(SettingsError, match=r"^LINK_TTL: at most"):
        Settings.from_env({"LINK_TTL": str(MAX_LINK_TTL + 1)})


@pytest.mark.parametrize(
    ("mail_from", "sender"),
    [
        ("Held Out <books@example.com>", ("Held Out", "books@example.com")),
        ('"Held, Out" <books@example.com>', ("Held, Out", "books@example.com")),
        ("Ünïcode Näme <b@example.com>", ("Ünïcode Näme", "b@example.com")),
        ("books@example.com", ("exlibris", "books@example.com")),  # SHOP_NAME names it
    ],
)
def test_mail_from_takes_a_name_and_an_address_or_an_address(mail_from: str, sender: tuple) -> None:
    assert Settings.from_env({"MAIL_FROM": mail_from}).sender == sender


@pytest.mark.parametrize(
    "mail_from", ["x <y", "a@example.com, b@example.com", 'Held Out <books"@example.com>', "nobody"]
)
def test_anything_else_in_mail_from_stops_start_up_naming_it(mail_from: str) -> None:
    with pytest.raises(SettingsError, match=r"^MAIL_FROM: expected an address or 'Name <address>'"):
        Settings.from_env({"MAIL_FROM": mail_from})


@pytest.mark.parametrize(
    ("environ", "domains"),
    [
        ({}, ("example.com",)),  # MAIL_FROM's own
        ({"MAIL_FROM": "Pen <b@Pen.Example>"}, ("pen.example",)),
        ({"MAIL_DOMAINS": "example.com,Held.example"}, ("example.com", "held.example")),
    ],
)
def test_the_sender_domains_are_mail_domains_else_mail_froms(environ: dict, domains: tuple) -> None:
    assert Settings.from_env(environ).sender_domains == domains


@pytest.mark.parametrize(
    ("mail_domains", "reason"),
    [
        ("example.com, not a domain", "expected domain names"),
        ("example.com,@held.example", "expected domain names"),
        ("held.example", "MAIL_FROM's domain example.com is not listed"),
    ],
)
def test_mail_domains_that_cannot_hold_stop_start_up(mail_domains: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=rf"^MAIL_DOMAINS: {reason}"):
        Settings.from_env({"MAIL_DOMAINS": mail_domains})


def test_the_stamp_limits_reach_the_engine_by_name() -> None:
    environ = {
        var: raw for var, (raw, _, _) in EVERY_VARIABLE.items() if var.startswith("STAMP_MAX")
    }
    limits = Settings.from_env(environ).limits
    assert (limits.stream, limits.ratio, limits.zip_entries, limits.seconds) == (
        1 << 20,
        50,
        200,
        5,
    )


@pytest.mark.parametrize("var", ["STAMP_MAX_STREAM", "STAMP_MAX_SECONDS", "STAMP_MAX_PAGES"])
def test_a_stamp_limit_must_be_positive(var: str) -> None:
    with pytest.raises(SettingsError, match=var):
        Settings.from_env({var: "0"})


def test_the_default_push_schedule_is_pub_sub_s() -> None:
    settings = Settings.from_env({})
    schedule = push_backoffs(
        settings.local_push_min_backoff,
        settings.local_push_max_backoff,
        settings.local_push_max_attempts,
    )
    assert schedule == [10, 20, 40, 80, 160, 320, 600, 600, 600]  # 10 deliveries, 2430 s


def test_a_publisher_that_gives_up_within_the_mail_claim_is_refused() -> None:
    # 1 + 2 + 4 + 8 s of retries end before a 60 s claim goes stale: an order whose
    # worker died mid-send would be dead-lettered unmailed.
    env = {"LOCAL_PUSH_MIN_BACKOFF": "1", "LOCAL_PUSH_MAX_ATTEMPTS": "5"}
    with pytest.raises(SettingsError, match=r"^LOCAL_PUSH_MAX_ATTEMPTS: .* 15 s .* \(60\)"):
        Settings.from_env({**env, "MAIL_CLAIM_SECONDS": "60"})
    assert Settings.from_env({**env, "MAIL_CLAIM_SECONDS": "14"}).mail_claim_seconds == 14
    cloud = {"PUBLISH_BACKEND": "pubsub", "STAMP_SECRET": "s", "MAIL_CLAIM_SECONDS": "60"}
    assert Settings.from_env({**env, **cloud}).mail_claim_seconds == 60  # Terraform's rule there


SMTP = {"MAIL_BACKEND": "smtp", "SMTP_HOST": "smtp.example.com"}


@pytest.mark.parametrize(
    ("environ", "mail"),
    [
        ({}, "outbox"),
        ({"SENDGRID_API_KEY": "SG.k"}, "sendgrid"),
        ({"SENDGRID_API_KEY": "SG.k", "MAIL_BACKEND": "outbox"}, "outbox"),
        (SMTP, "smtp"),
    ],
)
def test_the_mail_backend_defaults_to_sendgrid_with_a_key(
    environ: dict[str, str], mail: str
) -> None:
    assert Settings.from_env(environ).mail == mail


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"MAIL_BACKEND": "postfix"}, "MAIL_BACKEND"),
        ({"MAIL_BACKEND": "sendgrid"}, "SENDGRID_API_KEY"),
        ({"MAIL_BACKEND": "smtp"}, "SMTP_HOST"),
        (SMTP | {"SMTP_SECURITY": "ssl"}, "SMTP_SECURITY"),
        (SMTP | {"SMTP_SECURITY": "none"}, "SMTP_SECURITY"),
        (SMTP | {"SMTP_SECURITY": "none", "SMTP_HOST": "127.0.0.1.example.com"}, "SMTP_SECURITY"),
        (SMTP | {"SMTP_PORT": "70000"}, "SMTP_PORT"),
        (SMTP | {"SMTP_USERNAME": "user"}, "SMTP_PASSWORD"),
        (SMTP | {"SMTP_TIMEOUT": "300"}, "SMTP_TIMEOUT"),
        (SMTP | {"SMTP_TIMEOUT": "0"}, "SMTP_TIMEOUT"),
    ],
)
def test_a_bad_mail_setting_stops_start_up_naming_it(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}:"):
        Settings.from_env(environ)


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost", "LOCALHOST."]
)
def test_plain_smtp_is_allowed_to_a_loopback_relay(host: str) -> None:
    settings = Settings.from_env(SMTP | {"SMTP_SECURITY": "none", "SMTP_HOST": host})
    assert settings.smtp_security == "none"
