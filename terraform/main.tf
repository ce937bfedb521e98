# exlibris on Google Cloud: three Cloud Run services (two joined by Pub/Sub, the author's
# dashboard behind IAP), files in
# Cloud Storage, secrets in Secret Manager, alerts in Cloud Monitoring. One
# root; a file per concern: apis.tf, iam.tf, storage.tf, pubsub.tf,
# secrets.tf, run.tf, monitoring.tf (terraform/README.md).

provider "google" {
  project = var.project_id
  region  = var.region

  default_labels = {
    app = var.name
  }
}

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  project_number = data.google_project.this.number

  service_name   = var.name
  worker_name    = "${var.name}-worker"
  dashboard_name = "${var.name}-dashboard"

  # Cloud Run's deterministic URL (https://NAME-PROJECT_NUMBER.REGION.run.app)
  # is known before the services exist, so a service can be told its own URL
  # (PUBLIC_URL, PUSH_AUDIENCE) without a dependency cycle.
  service_url = "https://${local.service_name}-${local.project_number}.${var.region}.run.app"
  worker_url  = "https://${local.worker_name}-${local.project_number}.${var.region}.run.app"
  # IAP directly on Cloud Run signs its assertions for this audience (IAP_AUDIENCE):
  # /projects/PROJECT_NUMBER/locations/REGION/services/SERVICE_NAME
  # (https://cloud.google.com/iap/docs/signed-headers-howto; zenn.dev/msd05keisuke/articles/4a0212035d284d).
  dashboard_url          = "https://${local.dashboard_name}-${local.project_number}.${var.region}.run.app"
  dashboard_iap_audience = "/projects/${local.project_number}/locations/${var.region}/services/${local.dashboard_name}"
  public_url             = var.public_url != "" ? trimsuffix(var.public_url, "/") : local.service_url

  source_bucket   = var.source_bucket != "" ? var.source_bucket : "${var.project_id}-${var.name}-originals"
  delivery_bucket = var.delivery_bucket != "" ? var.delivery_bucket : "${var.project_id}-${var.name}-deliveries"
  build_bucket    = "${var.project_id}-${var.name}-builds"
  catalog         = var.catalog != "" ? var.catalog : "gs://${local.source_bucket}/catalog.toml"

  repository_url = "${var.region}-docker.pkg.dev/${var.project_id}/${var.name}"

  paddle  = contains(var.merchants, "paddle")
  billing = local.paddle && contains(var.paddle_editions, "billing")
  classic = local.paddle && contains(var.paddle_editions, "classic")

  # Google's Pub/Sub service agent: it moves exhausted messages to the
  # dead-letter topic and acknowledges them on the subscription.
  pubsub_agent = "serviceAccount:service-${local.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}
