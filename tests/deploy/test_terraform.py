"""terraform/ read offline: least privilege, the push path, secrets and inputs.

No terraform binary runs here; python-hcl2 parses every file and the tests
check the graph the way a reviewer would (tests/deploy/terraform.py).
"""

from __future__ import annotations

import re
import runpy
from dataclasses import fields

import hcl2
import pytest

from common.i18n import LANGUAGES
from common.settings import Settings, SettingsError, variable_of
from tests.deploy.terraform import (
    ROOT,
    RUN,
    TERRAFORM,
    blocks,
    env_names,
    literal,
    locals_,
    parsed,
    resource,
    resources,
    run_resource,
    run_value,
    runs,
    source_text,
    strings,
    tf_files,
    unquote_key,
    variables,
)

FILES = ["versions.tf", "variables.tf", "outputs.tf", "main.tf"] + [
    f"{concern}.tf"
    for concern in ("apis", "iam", "storage", "pubsub", "run", "secrets", "monitoring")
]
IAM_MEMBER = re.compile(r"^google_\w+_iam_(member|binding|policy)$")


def iam_resources():
    return [r for r in resources() if IAM_MEMBER.match(r.type)]


def role(r) -> str:
    return literal(r.body["role"])


def roles_of(r) -> set[str]:
    """The role, or each role of a `for_each = toset([...])` over roles."""
    if r.body["role"] == "${each.value}":
        return set(re.findall(r'"(roles/[\w.]+)"', r.body["for_each"]))
    return {role(r)}


@pytest.mark.parametrize("name", [p.name for p in tf_files()])
def test_every_file_parses(name):
    assert parsed(name)


def test_the_root_has_a_file_per_concern():
    assert sorted(FILES) == sorted(p.name for p in tf_files())


def test_provider_versions_are_bounded():
    (terraform,) = parsed("versions.tf")["terraform"]
    assert re.fullmatch(r">= [\d.]+, < 2\.0", literal(terraform["required_version"]))
    (providers,) = terraform["required_providers"]
    for name, spec in providers.items():
        if name == "__is_block__":
            continue
        assert re.fullmatch(r">= [\d.]+, < \d+\.0", literal(spec["version"])), name


@pytest.mark.parametrize("name", sorted(variables()))
def test_every_variable_is_typed_described_and_validated(name):
    body = variables()[name]
    assert body.get("type"), f"{name} has no type"
    assert literal(body.get("description", "")).strip(), f"{name} has no description"
    validations = body.get("validation", [])
    assert validations, f"{name} has no validation"
    for v in validations:
        assert literal(v["error_message"]).strip()


@pytest.mark.parametrize("name", sorted(variables()))
def test_every_variable_is_used(name):
    assert re.search(rf"\bvar\.{name}\b", source_text(exclude=("variables.tf",)))


def test_the_required_apis_are_enabled():
    apis = locals_()["apis"]
    for api in ("run", "pubsub", "storage", "secretmanager", "iamcredentials"):
        assert f'"{api}.googleapis.com"' in apis
    for api in ("artifactregistry", "cloudbuild", "monitoring", "logging"):
        assert f'"{api}.googleapis.com"' in apis


def test_no_grant_is_project_wide():
    wide = [
        r.address
        for r in resources()
        if r.type.startswith(("google_project_iam", "google_folder_iam", "google_organization_iam"))
    ]
    assert wide == []


def test_no_grant_is_authoritative_or_basic():
    for r in iam_resources():
        assert r.type.endswith("_iam_member"), f"{r.address} would overwrite others' grants"
        assert not roles_of(r) & {"roles/owner", "roles/editor", "roles/viewer"}, r.address


def test_one_resource_runs_every_service_from_a_map():
    run = run_resource()
    assert run.body["for_each"] == "${local.runs}"
    assert set(runs()) == {"service", "worker", "dashboard"}
    service, worker, dashboard = (
        set(runs()[k]) - {"__comments__"} for k in ("service", "worker", "dashboard")
    )
    assert service == worker == dashboard, "each.value.X must exist for every service"
    used = set(re.findall(r"\beach\.value\.(\w+)", run.text))
    assert used == service, "a value of local.runs the resource ignores, or one it lacks"


def test_the_old_addresses_move_to_the_map():
    moved = {(m["from"], m["to"]) for _, m in blocks("moved")}
    assert moved == {  # the dashboard came after the map: it never had another address
        (f"${{google_cloud_run_v2_service.{k}}}", f'${{{RUN}["{k}"]}}')
        for k in ("service", "worker")
    }


def test_each_service_runs_as_its_own_account():
    template = run_resource().body["template"][0]
    assert template["service_account"] == "${each.value.service_account}"
    for key in ("service", "worker", "dashboard"):
        assert run_value(key, "service_account") == f"${{google_service_account.{key}.email}}"
    accounts = {r.name for r in resources("google_service_account")}
    assert {"service", "worker", "dashboard", "push", "deployer"} <= accounts


def on_every_run(r) -> bool:
    """A grant repeated for each service: for_each over local.runs, on RUN[each.key]."""
    return r.body.get("for_each") == "${local.runs}" and r.refers_to(f"{RUN}[each.key]")


def grants_on_run(key: str):
    """IAM members on one Cloud Run service: on RUN[key], or on each instance of RUN."""
    return [
        r
        for r in iam_resources()
        if r.refers_to(f'{RUN}["{key}"]') or on_every_run(r) or r.refers_to(RUN)
    ]


def test_grants_name_a_cloud_run_service_in_a_form_the_checks_read():
    """RUN["service"], RUN["worker"], RUN["dashboard"] or RUN[each.key] over local.runs."""
    for r in iam_resources():
        forms = set(re.findall(rf"{re.escape(RUN)}(\[[^\]]*\])?", " ".join(strings(r.body))))
        assert forms <= {'["service"]', '["worker"]', '["dashboard"]', "[each.key]"}, r.address
        if "[each.key]" in forms:
            assert on_every_run(r), r.address


def test_the_worker_is_invoked_by_the_push_account_only():
    grants = grants_on_run("worker")
    assert {r.name for r in grants} == {"push_invokes_worker", "deployer_deploys"}
    invokers = [r for r in grants if role(r) == "roles/run.invoker"]
    assert [r.body["member"] for r in invokers] == ["${google_service_account.push.member}"]
    for r in grants:
        assert "allUsers" not in r.text and "allAuthenticatedUsers" not in r.text, r.address
    assert run_resource().body["ingress"] == "${each.value.ingress}"
    assert literal(run_value("worker", "ingress")) == "INGRESS_TRAFFIC_INTERNAL_ONLY"


def test_only_the_public_service_is_open_to_all_users():
    public = [r for r in iam_resources() if "allUsers" in r.text or "allAuthenticated" in r.text]
    assert [r.address for r in public] == [
        "google_cloud_run_v2_service_iam_member.public_invokes_service"
    ]
    (grant,) = public
    assert role(grant) == "roles/run.invoker"
    assert grant.refers_to(f'{RUN}["service"]')
    assert not on_every_run(grant) and not grant.refers_to(f'{RUN}["worker"]')
    assert literal(run_value("service", "ingress")) == "INGRESS_TRAFFIC_ALL"


def test_the_deployer_may_deploy_but_not_administer():
    deployer = [r for r in iam_resources() if "google_service_account.deployer" in r.text]
    roles = set().union(*(roles_of(r) for r in deployer))
    assert roles == {
        "roles/run.developer",
        "roles/iam.serviceAccountUser",
        "roles/artifactregistry.writer",
        "roles/storage.objectUser",
        "roles/storage.legacyBucketReader",
    }
    deploys = resource("google_cloud_run_v2_service_iam_member", "deployer_deploys")
    assert on_every_run(deploys)
    act_as = resource("google_service_account_iam_member", "deployer_acts_as_runtime")
    assert "google_service_account.push" not in act_as.text
    assert "google_service_account.deployer.name" not in act_as.text


@pytest.mark.parametrize(
    ("grant", "who", "what"),
    [
        ("service_publishes_orders", "service", "google_pubsub_topic.orders"),
        ("service_uses_deliveries", "service", "google_storage_bucket.deliveries"),
        ("service_reads_catalog", "service", "google_storage_bucket.originals"),
        ("service_signs_as_itself", "service", "google_service_account.service"),
        ("worker_reads_originals", "worker", "google_storage_bucket.originals"),
        ("worker_writes_deliveries", "worker", "google_storage_bucket.deliveries"),
    ],
)
def test_runtime_grants_are_on_the_resource(grant, who, what):
    (r,) = [r for r in iam_resources() if r.name == grant]
    assert r.body["member"] == f"${{google_service_account.{who}.member}}"
    assert what in r.text


def test_the_service_reads_only_the_catalog_of_the_originals():
    grant = resource("google_storage_bucket_iam_member", "service_reads_catalog")
    (condition,) = grant.body["condition"]
    assert "objects/" in condition["expression"]
    assert role(grant) == "roles/storage.objectViewer"


def test_the_subscription_pushes_with_oidc_retries_and_dead_letters():
    sub = resource("google_pubsub_subscription", "worker_push").body
    (push,) = sub["push_config"]
    assert literal(push["push_endpoint"]) == "${local.worker_url}/pubsub/push"
    (oidc,) = push["oidc_token"]
    assert oidc["service_account_email"] == "${google_service_account.push.email}"
    assert oidc["audience"] == "${local.worker_url}"
    assert sub["retry_policy"]
    (dead,) = sub["dead_letter_policy"]
    assert dead["dead_letter_topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert dead["max_delivery_attempts"] == "${var.max_delivery_attempts}"
    assert sub["ack_deadline_seconds"] == "${var.ack_deadline_seconds}"
    assert [literal(p["ttl"]) for p in sub["expiration_policy"]] == [""]


def test_the_local_publisher_keeps_the_subscription_s_schedule():
    """The embedded stack retries as the cloud does: the defaults are Terraform's values."""
    (retry,) = resource("google_pubsub_subscription", "worker_push").body["retry_policy"]
    seconds = [literal(retry[k]).removesuffix("s") for k in ("minimum_backoff", "maximum_backoff")]
    defaults = Settings()
    assert [float(s) for s in seconds] == [
        defaults.local_push_min_backoff,
        defaults.local_push_max_backoff,
    ]
    attempts = variables()["max_delivery_attempts"]["default"]
    assert attempts == defaults.local_push_max_attempts


def test_the_worker_checks_the_same_audience_and_account_pubsub_sends():
    worker_env = locals_()["worker_env"]
    assert "PUSH_AUDIENCE = local.worker_url" in worker_env
    assert "PUSH_SERVICE_ACCOUNT = google_service_account.push.email" in worker_env
    # Cloud Run IAM checks the signature and strips it; the worker checks the claims.
    assert 'PUSH_AUTH = "cloud-run"' in worker_env
    assert run_resource().body["template"][0]["timeout"] == "${each.value.timeout}"
    assert run_value("worker", "timeout") == '"${var.ack_deadline_seconds}s"'


def test_the_worker_signs_nothing_so_it_may_not_mint_tokens():
    grants = resources("google_service_account_iam_member")
    assert not [
        g for g in grants if g.body.get("member") == "${google_service_account.worker.member}"
    ]


def test_the_pubsub_agent_may_sign_push_tokens_as_the_push_account_only():
    grant = resource("google_service_account_iam_member", "pubsub_agent_signs_push_tokens")
    assert grant.body["service_account_id"] == "${google_service_account.push.name}"
    assert role(grant) == "roles/iam.serviceAccountTokenCreator"
    assert grant.body["member"] == "${local.pubsub_agent}"


def test_the_pubsub_agent_can_dead_letter():
    publisher = resource("google_pubsub_topic_iam_member", "pubsub_agent_publishes_dead_letters")
    assert publisher.body["topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert role(publisher) == "roles/pubsub.publisher"
    subscriber = resource("google_pubsub_subscription_iam_member", "pubsub_agent_acks_worker_push")
    assert subscriber.body["subscription"] == "${google_pubsub_subscription.worker_push.id}"
    assert role(subscriber) == "roles/pubsub.subscriber"
    for r in (publisher, subscriber):
        assert r.body["member"] == "${local.pubsub_agent}"
    assert "@gcp-sa-pubsub.iam.gserviceaccount.com" in locals_()["pubsub_agent"]


def test_dead_letters_can_be_inspected():
    sub = resource("google_pubsub_subscription", "dead_letter_inspect").body
    assert sub["topic"] == "${google_pubsub_topic.dead_letter.id}"
    assert "push_config" not in sub


def test_the_console_gets_what_it_does_and_nothing_else():
    grants = {r.name: r for r in iam_resources() if r.name.startswith("console_")}
    assert set(grants) == {
        "console_uses_buckets",
        "console_publishes_orders",
        "console_reads_dead_letters",
        "console_adds_webhook_secret",
    }
    buckets = locals_()["console_grants"]
    assert '"roles/storage.objectUser", on = "deliveries"' in buckets
    assert '"roles/storage.objectViewer", on = "originals"' in buckets  # never writes a book
    assert role(grants["console_publishes_orders"]) == "roles/pubsub.publisher"
    assert "google_pubsub_topic.orders" in grants["console_publishes_orders"].text
    assert role(grants["console_reads_dead_letters"]) == "roles/pubsub.subscriber"
    assert "dead_letter_inspect" in grants["console_reads_dead_letters"].text
    secret = grants["console_adds_webhook_secret"]
    assert role(secret) == "roles/secretmanager.secretVersionAdder"  # adds, never reads
    assert secret.body["secret_id"] == (
        '${google_secret_manager_secret.secrets["paddle-webhook-secret"].id}'
    )
    for r in grants.values():
        assert "var.console_members" in r.text or "local.console_grants" in r.text, r.address


@pytest.mark.parametrize(
    ("member", "valid"),
    [
        ("user:ada@example.com", True),
        ("group:authors@example.com", True),
        ("serviceAccount:ci@shop-1.iam.gserviceaccount.com", True),
        ("ada@example.com", False),
        ("allUsers", False),
        ("domain:example.com", False),
    ],
)
def test_console_members_are_named_principals(member, valid):
    (validation,) = variables()["console_members"]["validation"]
    pattern = re.search(r'regex\("(.+?)", m\)', validation["condition"]).group(1)
    assert variables()["console_members"]["default"] == []
    assert bool(re.match(pattern.replace("\\\\", "\\"), member)) is valid


@pytest.mark.parametrize(
    ("sender", "valid"),
    [
        ("books@example.com", True),
        ("Held Out Press <books@example.com>", True),  # MAIL_FROM's other form (issue 23)
        ("<books@example.com>", True),
        ("Held Out <books", False),
        ("books@example", False),
        ("a <b@c.d> e", False),
    ],
)
def test_mail_from_takes_a_bare_address_or_a_name_and_one(sender, valid):
    (validation,) = variables()["mail_from"]["validation"]
    pattern = re.search(r'regex\("(.+?)", var\.mail_from\)', validation["condition"]).group(1)
    assert bool(re.match(pattern.replace("\\\\", "\\"), sender)) is valid


def test_the_shop_language_is_one_the_apps_speak():
    (validation,) = variables()["shop_language"]["validation"]
    assert re.findall(r'"([a-z]{2})"', validation["condition"]) == list(LANGUAGES)
    assert literal(variables()["shop_language"]["default"]) == "en"


@pytest.mark.parametrize("bucket", ["originals", "deliveries", "builds"])
def test_buckets_are_private_and_uniform(bucket):
    body = resource("google_storage_bucket", bucket).body
    assert body["uniform_bucket_level_access"] is True
    assert literal(body["public_access_prevention"]) == "enforced"


def test_originals_are_versioned_and_kept():
    body = resource("google_storage_bucket", "originals").body
    assert body["versioning"][0]["enabled"] is True
    assert body["force_destroy"] is False


def test_stamped_copies_expire_after_configurable_days():
    body = resource("google_storage_bucket", "deliveries").body
    (rule,) = body["lifecycle_rule"]
    (condition,) = rule["condition"]
    assert condition["age"] == "${var.stamped_copy_days}"
    assert condition["matches_prefix"] == ['"copies/"']
    assert body["force_destroy"] is False


def secret_catalog() -> dict[str, dict]:
    return {
        k: {"env": literal(v["env"]), "readers": [literal(r) for r in v["readers"]]}
        for k, v in locals_()["secret_catalog"].items()
    }


def secret_env(service: str) -> set[str]:
    return {s["env"] for s in secret_catalog().values() if service in s["readers"]}


def env_blocks() -> list[dict]:
    """The dynamic "env" blocks of the Cloud Run container: plain values, then secrets."""
    dynamic = run_resource().body["template"][0]["containers"][0]["dynamic"]
    return [d['"env"'] for d in dynamic]


@pytest.mark.parametrize("service", ["service", "worker", "dashboard"])
def test_cloud_run_reads_only_declared_secrets(service):
    run = run_resource()
    refs = set(re.findall(r"google_secret_manager_secret\.(\w+)", run.text))
    declared = {r.name for r in resources("google_secret_manager_secret")}
    assert refs and refs <= declared
    (secret_block,) = [d for d in env_blocks() if "secret" in str(d)]
    assert secret_block["for_each"] == "${each.value.secrets}"
    assert run_value(service, "secrets") == f"${{local.{service}_secrets}}"
    assert f'contains(s.readers, "{service}")' in locals_()[f"{service}_secrets"]
    assert resource("google_secret_manager_secret", "secrets").body["for_each"] == (
        "${local.secrets}"
    )


def test_each_account_reads_only_its_secrets():
    others = {env for secrets in MERCHANT_SECRETS.values() for env in secrets}
    assert secret_env("service") - others == {"STAMP_SECRET", "PADDLE_WEBHOOK_SECRET"}
    assert secret_env("worker") - others == {
        "STAMP_SECRET",
        "SENDGRID_API_KEY",
        "SMTP_PASSWORD",
        "PADDLE_API_KEY",
    }
    assert secret_env("dashboard") == {"STAMP_SECRET"}
    for secrets in MERCHANT_SECRETS.values():
        for env, reader in secrets.items():
            assert env in secret_env(reader)
    grants = resource("google_secret_manager_secret_iam_member", "readers")
    assert grants.body["for_each"] == "${local.secret_grants}"
    assert role(grants) == "roles/secretmanager.secretAccessor"


def test_secrets_have_no_values_in_terraform():
    assert not resources("google_secret_manager_secret_version")


def known_variables() -> set[str]:
    return {variable_of(f.name) for f in fields(Settings)} | {"APP"}


@pytest.mark.parametrize("service", ["service", "worker", "dashboard"])
def test_every_variable_cloud_run_sets_is_one_the_app_reads(service):
    (plain,) = [d for d in env_blocks() if "secret" not in str(d)]
    assert "each.value.env" in plain["for_each"]
    assert run_value(service, "env") == f"${{local.{service}_env}}"
    env = env_names(locals_()["common_env"]) | env_names(locals_()[f"{service}_env"])
    assert env - known_variables() == set()
    assert secret_env(service) - known_variables() == set()
    assert {"STORAGE_BACKEND", "PUBLISH_BACKEND", "STAMP_SECRET", "APP"} <= env | secret_env(
        service
    )


def test_the_services_pick_their_app():
    assert 'APP = "service"' in locals_()["service_env"]
    assert 'APP = "worker"' in locals_()["worker_env"]
    assert 'APP = "dashboard"' in locals_()["dashboard_env"]


@pytest.mark.parametrize("app", ["service", "worker", "dashboard"])
def test_concurrency_matches_gunicorn_threads(app: str, monkeypatch: pytest.MonkeyPatch):
    template = run_resource().body["template"][0]
    assert template["max_instance_request_concurrency"] == "${each.value.concurrency}"
    monkeypatch.setenv("APP", app)  # gunicorn.conf.py picks the threads by APP
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], run_value(app, "concurrency")) == (1, config["threads"])


def test_the_worker_has_one_vcpu_and_room_for_its_copies():
    """bench/burst.py: one process uses one core; 4 copies of a 300 MB book fit in 4 GiB."""
    template = run_resource().body["template"][0]
    limits = template["containers"][0]["resources"][0]["limits"]
    assert limits == {"cpu": "${each.value.cpu}", "memory": "${each.value.memory}"}
    worker = (literal(run_value("worker", "cpu")), literal(run_value("worker", "memory")))
    assert worker == ("1", "4Gi")


def test_cloud_build_owns_the_image():
    (lifecycle,) = run_resource().body["lifecycle"]
    assert "${template[0].containers[0].image}" in lifecycle["ignore_changes"]


def test_outputs_give_the_author_what_comes_next():
    outputs = {
        k.strip('"'): v for block in parsed("outputs.tf")["output"] for k, v in block.items()
    }
    assert literal(outputs["paddle_billing_webhook_url"]["value"]).endswith("/webhooks/paddle")
    assert literal(outputs["paddle_classic_webhook_url"]["value"]).endswith(
        "/webhooks/paddle-classic"
    )
    assert literal(outputs["links_page_url"]["value"]).endswith("/links")
    for name in ("source_bucket", "delivery_bucket", "topic", "cloud_build_command"):
        assert name in outputs
    assert "--service-account=" in outputs["cloud_build_command"]["value"]


def test_state_lives_in_a_gcs_bucket_named_at_init():
    (terraform,) = parsed("versions.tf")["terraform"]
    (backend,) = terraform["backend"]
    assert set(backend) == {'"gcs"'}
    # A partial configuration: the bucket (and prefix) come from -backend-config.
    assert {k for k in backend['"gcs"'] if not k.startswith("__")} == set()
    with (TERRAFORM / "backend.hcl.example").open() as f:
        example = {k: literal(v) for k, v in hcl2.load(f).items() if not k.startswith("__")}
    assert set(example) == {"bucket", "prefix"}
    assert example["prefix"] == "exlibris"


def test_no_state_files_are_committed():
    assert not list(TERRAFORM.glob("*.tfstate*"))


def test_a_committed_lock_file_pins_the_bounded_provider():
    """The first `terraform init` writes it and it is committed (terraform/README.md)."""
    lock = TERRAFORM / ".terraform.lock.hcl"
    if not lock.exists():
        return
    with lock.open() as f:
        providers = {unquote_key(k): v for p in hcl2.load(f)["provider"] for k, v in p.items()}
    assert set(providers) == {"registry.terraform.io/hashicorp/google"}
    (google,) = providers.values()
    assert re.fullmatch(r"6\.\d+\.\d+", literal(google["version"]))


# Plausible values for the variables Terraform computes (literals are used as written).
SAMPLE_VALUES = {
    "GOOGLE_CLOUD_PROJECT": "shop-123456",
    "PUBSUB_TOPIC": "exlibris-orders",
    "CATALOG": "gs://shop-123456-exlibris-originals/catalog.toml",
    "SOURCE_BUCKET": "shop-123456-exlibris-originals",
    "DELIVERY_BUCKET": "shop-123456-exlibris-deliveries",
    "PUBLIC_URL": "https://exlibris-123.us-central1.run.app",
    "LINK_TTL": "2592000",
    "DOWNLOAD_LIMIT": "5",
    "SIGNED_URL_TTL": "600",
    "SHOP_NAME": "Shop",
    "SHOP_LANGUAGE": "de",
    "SUPPORT_EMAIL": "help@example.com",
    "LOG_LEVEL": "INFO",
    "IAP_AUDIENCE": "/projects/123456/locations/us-central1/services/exlibris-dashboard",
    "SIGNING_SERVICE_ACCOUNT": "exlibris-x@shop-123456.iam.gserviceaccount.com",
    "CORS_ORIGINS": "https://example.com",
    "PADDLE_PUBLIC_KEY": "",
    "LEMONSQUEEZY_ALLOW_TEST": "false",
    "PUSH_AUDIENCE": "https://exlibris-worker-123.us-central1.run.app",
    "PUSH_SERVICE_ACCOUNT": "exlibris-push@shop-123456.iam.gserviceaccount.com",
    "MAIL_FROM": "books@example.com",
    "MAIL_DOMAINS": "",
    "PADDLE_API_URL": "https://api.paddle.com",
    "SENDGRID_EVENT_PUBLIC_KEY": "",
    "MAIL_BACKEND": "sendgrid",
    "SMTP_HOST": "",
    "SMTP_PORT": "587",
    "SMTP_USERNAME": "",
    "SMTP_SECURITY": "starttls",
}


def deployed_env(service: str) -> dict[str, str]:
    """What Cloud Run hands the app: plain variables, then a value per secret."""
    text = str(locals_()["common_env"]) + str(locals_()[f"{service}_env"])
    env = {}
    for name in env_names(locals_()["common_env"]) | env_names(locals_()[f"{service}_env"]):
        written = re.search(rf"\b{name}['\"]?(?: = |: )'?\"([^\"$]*)\"", text)
        env[name] = SAMPLE_VALUES[name] if name in SAMPLE_VALUES else written.group(1)
    env.update({name: f"secret-for-{name.lower()}" for name in secret_env(service)})
    return env


def test_the_service_starts_with_what_terraform_gives_it():
    Settings.from_env(deployed_env("service")).check_service()


def knows_push_auth_cloud_run() -> bool:
    try:
        Settings.from_env({"PUSH_AUTH": "cloud-run"})
    except SettingsError:
        return False
    return True


@pytest.mark.skipif(
    not knows_push_auth_cloud_run(),
    reason="this checkout's Settings predates PUSH_AUTH=cloud-run (main e6f526e adds it)",
)
def test_the_worker_starts_with_what_terraform_gives_it():
    settings = Settings.from_env(deployed_env("worker")).check_worker()
    assert settings.push_auth_required


def test_the_worker_mails_over_smtp_with_what_terraform_gives_it():
    smtp = {"MAIL_BACKEND": "smtp", "SMTP_HOST": "email-smtp.us-east-1.amazonaws.com"}
    settings = Settings.from_env(deployed_env("worker") | smtp | {"SMTP_USERNAME": "user"})
    assert settings.mail == "smtp" and settings.smtp_password == "secret-for-smtp_password"


def test_one_mail_secret_is_made_for_the_mail_backend():
    catalog = locals_()["secret_catalog"]
    assert catalog["sendgrid-api-key"]["enabled"] == '${var.mail_backend == "sendgrid"}'
    assert catalog["smtp-password"]["enabled"] == '${var.mail_backend == "smtp"}'


MERCHANT_SECRETS = {
    "stripe": {"STRIPE_WEBHOOK_SECRET": "service", "STRIPE_API_KEY": "worker"},
    "lemonsqueezy": {"LEMONSQUEEZY_WEBHOOK_SECRET": "service"},
    "shopify": {"SHOPIFY_WEBHOOK_SECRET": "service"},
    "woocommerce": {"WOOCOMMERCE_WEBHOOK_SECRET": "service"},
}


@pytest.mark.parametrize("merchant", sorted(MERCHANT_SECRETS))
def test_each_storefront_turned_on_gets_its_secrets_for_the_app_that_reads_them(merchant):
    by_env = {
        literal(v["env"]): (v, [literal(r) for r in v["readers"]])
        for v in locals_()["secret_catalog"].values()
    }
    for env, reader in MERCHANT_SECRETS[merchant].items():
        entry, readers = by_env[env]
        assert readers == [reader]
        assert entry["enabled"] == f'${{contains(var.merchants, "{merchant}")}}'


def test_the_merchants_variable_names_exactly_the_settings_merchants():
    (block,) = [b['"merchants"'] for b in parsed("variables.tf")["variable"] if '"merchants"' in b]
    (validation,) = block["validation"]
    for name in ("paddle", *MERCHANT_SECRETS):
        assert f'"{name}"' in validation["condition"]
    outputs = {
        k.strip('"'): v for block in parsed("outputs.tf")["output"] for k, v in block.items()
    }
    assert "/webhooks/${m}" in outputs["webhook_urls"]["value"]


def test_the_dashboard_starts_with_what_terraform_gives_it():
    settings = Settings.from_env(deployed_env("dashboard")).check_dashboard()
    assert settings.dashboard_auth == "iap"
    assert "local.dashboard_iap_audience" in locals_()["dashboard_env"]


def test_iap_guards_the_dashboard_and_nothing_else():
    run = run_resource()
    assert run.body["iap_enabled"] == "${each.value.iap}"
    iap = {k: str(run_value(k, "iap")).lower() for k in runs()}
    assert iap == {"service": "false", "worker": "false", "dashboard": "true"}
    assert '"iap.googleapis.com"' in locals_()["apis"]


def test_only_iap_invokes_the_dashboard_and_members_pass_iap():
    grants = grants_on_run("dashboard")
    invokers = [r for r in grants if role(r) == "roles/run.invoker"]
    assert [r.name for r in invokers] == ["iap_invokes_dashboard"]
    assert "gcp-sa-iap.iam.gserviceaccount.com" in locals_()["iap_agent"]
    (members,) = resources("google_iap_web_cloud_run_service_iam_member")
    assert role(members) == "roles/iap.httpsResourceAccessor"
    assert members.body["for_each"] == "${toset(var.dashboard_members)}"
    assert members.refers_to(f'{RUN}["dashboard"]')


def test_the_dashboard_account_has_the_console_s_rights():
    grants = {r.name: r for r in iam_resources() if r.name.startswith("dashboard_")}
    assert set(grants) == {
        "dashboard_uses_buckets",
        "dashboard_publishes_orders",
        "dashboard_reads_dead_letters",
    }
    buckets = str(locals_()["dashboard_grants"])
    assert '"roles/storage.objectUser"' in buckets and "deliveries" in buckets
    assert '"roles/storage.objectViewer"' in buckets and "originals" in buckets
    assert role(grants["dashboard_publishes_orders"]) == "roles/pubsub.publisher"
    assert role(grants["dashboard_reads_dead_letters"]) == "roles/pubsub.subscriber"
    assert "dead_letter_inspect" in grants["dashboard_reads_dead_letters"].text
    for r in grants.values():
        assert "google_service_account.dashboard.member" in r.text, r.address


@pytest.mark.parametrize(
    ("member", "valid"),
    [
        ("user:ada@example.com", True),
        ("group:authors@example.com", True),
        ("serviceAccount:ci@shop-1.iam.gserviceaccount.com", False),
        ("allUsers", False),
        ("ada@example.com", False),
    ],
)
def test_dashboard_members_are_people_or_groups(member, valid):
    (validation,) = variables()["dashboard_members"]["validation"]
    pattern = re.search(r'regex\("(.+?)", m\)', validation["condition"]).group(1)
    assert variables()["dashboard_members"]["default"] == []
    assert bool(re.match(pattern.replace("\\\\", "\\"), member)) is valid
