# What the author needs next: the URLs to paste into Paddle, where to upload
# the books, which secrets to fill, and the exact build command.

output "paddle_billing_webhook_url" {
  description = "Paddle Billing > Developer Tools > Notifications: destination URL."
  value       = "${local.public_url}/webhooks/paddle"
}

output "paddle_classic_webhook_url" {
  description = "Paddle Classic: webhook URL for alerts and product fulfilment."
  value       = "${local.public_url}/webhooks/paddle-classic"
}

output "webhook_urls" {
  description = "Each storefront turned on (var.merchants) and the URL to paste into its webhook settings."
  value = merge(
    { for m in var.merchants : m => "${local.public_url}/webhooks/${m}" if m != "paddle" },
    local.billing ? { paddle = "${local.public_url}/webhooks/paddle" } : {},
    local.classic ? { paddle-classic = "${local.public_url}/webhooks/paddle-classic" } : {},
  )
}

output "links_page_url" {
  description = "Page where buyers get their download links mailed again."
  value       = "${local.public_url}/links"
}

output "verify_page_url" {
  description = "Page that checks a stamp code."
  value       = "${local.public_url}/verify"
}

output "service_url" {
  description = "The public service's run.app URL."
  value       = local.service_url
}

output "dashboard_url" {
  description = "The author's dashboard, behind Identity-Aware Proxy: open it signed in as one of dashboard_members."
  value       = local.dashboard_url
}

output "dashboard_iap_audience" {
  description = "The audience IAP signs the dashboard's assertions for (IAP_AUDIENCE, set on the service)."
  value       = local.dashboard_iap_audience
}

output "worker_url" {
  description = "The worker's run.app URL (internal ingress, push identity only)."
  value       = local.worker_url
}

output "source_bucket" {
  description = "Upload the originals and catalog.toml here."
  value       = google_storage_bucket.originals.name
}

output "delivery_bucket" {
  description = "Stamped copies (copies/), order records (orders/) and dead letters."
  value       = google_storage_bucket.deliveries.name
}

output "catalog" {
  description = "CATALOG both services load at start-up."
  value       = local.catalog
}

output "topic" {
  description = "Pub/Sub topic of orders."
  value       = google_pubsub_topic.orders.name
}

output "dead_letter_subscription" {
  description = "Pull subscription holding messages the worker failed on after every retry."
  value       = google_pubsub_subscription.dead_letter_inspect.name
}

output "secrets" {
  description = "Secret Manager secret id per environment variable: add a version to each before the first build."
  value       = { for id, s in local.secrets : s.env => google_secret_manager_secret.secrets[id].secret_id }
}

output "image_repository" {
  description = "Artifact Registry repository of the image."
  value       = local.repository_url
}

output "cloud_build_command" {
  description = "Builds, tests and deploys the current commit, run from the repository root."
  value = join(" ", [
    "gcloud builds submit --project=${var.project_id}",
    "--config=cloudbuild.yaml",
    "--service-account=${google_service_account.deployer.id}",
    "--gcs-source-staging-dir=gs://${google_storage_bucket.builds.name}/source",
    "--gcs-log-dir=gs://${google_storage_bucket.builds.name}/logs",
    "--substitutions=COMMIT_SHA=$(git rev-parse HEAD),_REGION=${var.region},_REPOSITORY=${google_artifact_registry_repository.images.repository_id},_SERVICE=${google_cloud_run_v2_service.app["service"].name},_WORKER=${google_cloud_run_v2_service.app["worker"].name},_DASHBOARD=${google_cloud_run_v2_service.app["dashboard"].name}",
  ])
}
