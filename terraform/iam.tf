# Identities and grants. One service account per Cloud Run service (the
# dashboard's has the console's rights), one for Pub/Sub push, one for Cloud Build; every grant is on the resource it is
# about, never on the project. Secret accessors are in secrets.tf.

resource "google_service_account" "service" {
  account_id   = "${var.name}-service"
  display_name = "exlibris service (public webhook edge)"
  description  = "Runs the public Cloud Run service: verifies webhooks, publishes orders, serves durable links."

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "worker" {
  account_id   = "${var.name}-worker"
  display_name = "exlibris worker (stamping and mail)"
  description  = "Runs the private Cloud Run worker: stamps copies, writes order records, sends mail."

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "dashboard" {
  account_id   = "${var.name}-dashboard"
  display_name = "exlibris author's dashboard"
  description  = "Runs the author's dashboard behind IAP: reads orders and publishes the console's messages."

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "push" {
  account_id   = "${var.name}-push"
  display_name = "exlibris Pub/Sub push identity"
  description  = "Identity in the OIDC token Pub/Sub sends with each push; may invoke the worker and nothing else."

  depends_on = [google_project_service.apis]
}

resource "google_service_account" "deployer" {
  account_id   = "${var.name}-deployer"
  display_name = "exlibris Cloud Build deployer"
  description  = "Runs cloudbuild.yaml: tests, builds, pushes the image and deploys both services."

  depends_on = [google_project_service.apis]
}

locals {
  runtime_members = {
    service   = google_service_account.service.member
    worker    = google_service_account.worker.member
    dashboard = google_service_account.dashboard.member
  }
}

# --- the service ---------------------------------------------------------

resource "google_pubsub_topic_iam_member" "service_publishes_orders" {
  topic  = google_pubsub_topic.orders.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.service.member
}

# The service reads copies (through the URLs it signs) and also rewrites order
# records (orders/*.json: download counts, with generation preconditions) and
# files dead letters, so it needs object write access. objectUser is
# objectAdmin without object ACL/IAM administration, which uniform access
# disables anyway.
resource "google_storage_bucket_iam_member" "service_uses_deliveries" {
  bucket = google_storage_bucket.deliveries.name
  role   = "roles/storage.objectUser"
  member = google_service_account.service.member
}

# The service loads the catalog at start-up; it may read that one object of
# the originals bucket, not the books.
resource "google_storage_bucket_iam_member" "service_reads_catalog" {
  count = startswith(local.catalog, "gs://${local.source_bucket}/") ? 1 : 0

  bucket = google_storage_bucket.originals.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.service.member

  condition {
    title       = "catalog-only"
    description = "Only the catalog object."
    expression  = "resource.name == \"projects/_/buckets/${local.source_bucket}/objects/${trimprefix(local.catalog, "gs://${local.source_bucket}/")}\""
  }
}

# Durable links become V4 signed URLs; on Cloud Run there is no key file, so
# the service signs through IAM signBlob as itself. There is no narrower
# predefined role than token creator, and it is granted on its own account only.
resource "google_service_account_iam_member" "service_signs_as_itself" {
  service_account_id = google_service_account.service.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.service.member
}

# --- the worker ----------------------------------------------------------

resource "google_storage_bucket_iam_member" "worker_reads_originals" {
  bucket = google_storage_bucket.originals.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.worker.member
}

# Writes and deletes stamped copies, order records and re-send markers (the
# object-admin duty). objectUser is objectAdmin without object ACL/IAM
# administration, which uniform access disables anyway.
resource "google_storage_bucket_iam_member" "worker_writes_deliveries" {
  bucket = google_storage_bucket.deliveries.name
  role   = "roles/storage.objectUser"
  member = google_service_account.worker.member
}

# The worker signs no URLs (its mails carry /d/ links the service turns into
# signed URLs), so unlike the service it gets no token creator on itself.

# --- Pub/Sub -------------------------------------------------------------

# Pub/Sub mints the push OIDC token as the push account. Projects that enabled
# Pub/Sub before 2021-04-08 need this grant for its service agent; newer ones
# have it built in. It is scoped to the push account alone.
resource "google_service_account_iam_member" "pubsub_agent_signs_push_tokens" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Only the push identity may invoke the worker (and the worker is not public).
resource "google_cloud_run_v2_service_iam_member" "push_invokes_worker" {
  name     = google_cloud_run_v2_service.app["worker"].name
  location = google_cloud_run_v2_service.app["worker"].location
  role     = "roles/run.invoker"
  member   = google_service_account.push.member
}

# Dead-lettering: Pub/Sub's own agent republishes an exhausted message to the
# dead-letter topic and acknowledges it on the subscription.
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  topic  = google_pubsub_topic.dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_acks_worker_push" {
  subscription = google_pubsub_subscription.worker_push.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# --- the public edge -----------------------------------------------------

# Paddle and buyers call the service without Google credentials; it checks
# webhook signatures and link tokens itself.
resource "google_cloud_run_v2_service_iam_member" "public_invokes_service" {
  name     = google_cloud_run_v2_service.app["service"].name
  location = google_cloud_run_v2_service.app["service"].location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- the author's console --------------------------------------------------

# `exlibris` runs on the author's laptop with their own credentials (ADC). It
# reads records and indexes and publishes work; the worker does the work. An
# author who owns the project needs none of this; an assistant or a CI job
# gets exactly what the console does (README, "Operating your shop").
locals {
  console_grants = merge([
    for m in var.console_members : {
      "${m}/deliveries" = { member = m, role = "roles/storage.objectUser", on = "deliveries" }
      "${m}/originals"  = { member = m, role = "roles/storage.objectViewer", on = "originals" }
    }
  ]...)
}

# Records, indexes and re-issue markers are read; a replayed dead letter is
# moved to dead-letters/replayed/ (a write and a delete).
resource "google_storage_bucket_iam_member" "console_uses_buckets" {
  for_each = local.console_grants

  bucket = each.value.on == "deliveries" ? google_storage_bucket.deliveries.name : google_storage_bucket.originals.name
  role   = each.value.role
  member = each.value.member
}

# Re-sends, revocations, re-issues and replays are messages for the worker.
resource "google_pubsub_topic_iam_member" "console_publishes_orders" {
  for_each = toset(var.console_members)

  topic  = google_pubsub_topic.orders.id
  role   = "roles/pubsub.publisher"
  member = each.value
}

# `exlibris dead-letters` pulls without acking; `replay` acks what it re-sent.
resource "google_pubsub_subscription_iam_member" "console_reads_dead_letters" {
  for_each = toset(var.console_members)

  subscription = google_pubsub_subscription.dead_letter_inspect.id
  role         = "roles/pubsub.subscriber"
  member       = each.value
}

# `exlibris paddle connect` keeps the new destination's secret as a version;
# it never reads one back.
resource "google_secret_manager_secret_iam_member" "console_adds_webhook_secret" {
  for_each = local.billing ? toset(var.console_members) : toset([])

  secret_id = google_secret_manager_secret.secrets["paddle-webhook-secret"].id
  role      = "roles/secretmanager.secretVersionAdder"
  member    = each.value
}

# --- the author's dashboard --------------------------------------------------

# The dashboard does what the console does, through the console's own functions
# (dashboard/), so its account holds the console's grants above, less the webhook
# secret's versions (the dashboard connects no storefront); it reads STAMP_SECRET
# (secrets.tf) to check the codes of a found copy.
locals {
  dashboard_grants = {
    deliveries = { role = "roles/storage.objectUser", bucket = google_storage_bucket.deliveries.name }
    originals  = { role = "roles/storage.objectViewer", bucket = google_storage_bucket.originals.name }
  }
  # Enabling the IAP API creates this agent; IAP invokes the service as it
  # (https://cloud.google.com/run/docs/securing/identity-aware-proxy-cloud-run).
  iap_agent = "serviceAccount:service-${local.project_number}@gcp-sa-iap.iam.gserviceaccount.com"
}

resource "google_storage_bucket_iam_member" "dashboard_uses_buckets" {
  for_each = local.dashboard_grants

  bucket = each.value.bucket
  role   = each.value.role
  member = google_service_account.dashboard.member
}

resource "google_pubsub_topic_iam_member" "dashboard_publishes_orders" {
  topic  = google_pubsub_topic.orders.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.dashboard.member
}

resource "google_pubsub_subscription_iam_member" "dashboard_reads_dead_letters" {
  subscription = google_pubsub_subscription.dead_letter_inspect.id
  role         = "roles/pubsub.subscriber"
  member       = google_service_account.dashboard.member
}

# IAP checks who signed in, then calls the service as its own agent, which Cloud Run's
# IAM must let in; nobody else may invoke it.
resource "google_cloud_run_v2_service_iam_member" "iap_invokes_dashboard" {
  name     = google_cloud_run_v2_service.app["dashboard"].name
  location = google_cloud_run_v2_service.app["dashboard"].location
  role     = "roles/run.invoker"
  member   = local.iap_agent

  depends_on = [google_project_service.apis]
}

# Who may pass IAP: dashboard_members, on this service only.
resource "google_iap_web_cloud_run_service_iam_member" "members_open_dashboard" {
  for_each = toset(var.dashboard_members)

  project                = var.project_id
  location               = google_cloud_run_v2_service.app["dashboard"].location
  cloud_run_service_name = google_cloud_run_v2_service.app["dashboard"].name
  role                   = "roles/iap.httpsResourceAccessor"
  member                 = each.value
}

# --- Cloud Build ---------------------------------------------------------

resource "google_artifact_registry_repository_iam_member" "deployer_pushes_images" {
  repository = google_artifact_registry_repository.images.name
  location   = google_artifact_registry_repository.images.location
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.deployer.member
}

# Build sources are staged in, and build logs written to, the builds bucket
# (a user-specified build account cannot use Cloud Build's default buckets).
resource "google_storage_bucket_iam_member" "deployer_uses_builds" {
  for_each = toset(["roles/storage.objectUser", "roles/storage.legacyBucketReader"])

  bucket = google_storage_bucket.builds.name
  role   = each.value
  member = google_service_account.deployer.member
}

# Deploys new revisions of the three services: run.developer (not run.admin: it
# never changes who may invoke them), on each service only.
resource "google_cloud_run_v2_service_iam_member" "deployer_deploys" {
  for_each = local.runs

  name     = google_cloud_run_v2_service.app[each.key].name
  location = google_cloud_run_v2_service.app[each.key].location
  role     = "roles/run.developer"
  member   = google_service_account.deployer.member
}

# A revision runs as the service's account, so deploying it needs actAs on
# that account: granted on the three runtime accounts only.
resource "google_service_account_iam_member" "deployer_acts_as_runtime" {
  for_each = {
    service   = google_service_account.service.name
    worker    = google_service_account.worker.name
    dashboard = google_service_account.dashboard.name
  }

  service_account_id = each.value
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.deployer.member
}
