# The APIs this deployment uses. iam.googleapis.com is needed to create the
# service accounts; cloudresourcemanager.googleapis.com to read the project
# number (docs/deploy.md enables it before the first apply, as the data source
# is read at plan time); logging.googleapis.com and monitoring.googleapis.com
# for the log-based metrics, alerts and dashboard (monitoring.tf); iap.googleapis.com
# for Identity-Aware Proxy before the author's dashboard (run.tf). Nothing is
# disabled on destroy: other things in the project may use the same APIs.

locals {
  apis = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "iap.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "apis" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
